use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::expertpass,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        expertpass::create_challenge::{self as flow, NewChallenge},
        Client,
    },
};

/// Options of the sign-in the browser is starting. Send `{}` for the defaults.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateExpertpassChallengeRequest {
    /// "Garder ma session active": the refresh token will live 30 days instead of 12 hours.
    #[serde(default)]
    pub keep_session_active: bool,
}

/// A QR code to show, and what the browser needs to poll for the outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct QrChallenge {
    /// The challenge id (the `c` parameter of the QR payload).
    pub challenge_id: String,
    /// The text of the QR code: `comptexpert://login?c={challenge_id}&n={nonce}`. The app reads
    /// `c` and `n` from it; the nonce is 256 random bits, base64url.
    #[schema(
        example = "comptexpert://login?c=0193a0a4-7c1e-7b7e-9d5e-3f1c2b4a5d6e&n=q8Vd2Yv0m4f6cGk1hRrT9pXw3zLbNnA7sJ5eUoKiQyE"
    )]
    pub qr_payload: String,
    /// The QR code of `qr_payload` as a standalone SVG document, ready to inline in the page.
    pub qr_svg: String,
    /// The number to show next to the QR code, in large type: the app offers three numbers
    /// and only this one approves (a wrong choice cancels the sign-in). Two digits, 10 to 99.
    #[schema(example = 42, minimum = 10, maximum = 99)]
    pub number: i32,
    /// Secret of this browser: send it in the `Expertpass-Poll-Token` header when polling.
    /// Keep it in memory only; never put it in a URL.
    pub poll_token: String,
    /// When the challenge expires if nobody approves it (2 minutes).
    pub expires_at: DateTime<Utc>,
    /// Seconds until `expires_at`.
    #[schema(example = 120)]
    pub expires_in: i64,
    /// Seconds to wait between two polls.
    #[schema(example = 2)]
    pub interval: i64,
}

/// Start an Expertpass sign-in (browser side): returns a QR code for the ComptExpert app to scan,
/// valid 2 minutes, and the `number` to show beside it (the app's owner must pick it among three).
/// The request's `User-Agent` and its address cut to its network are recorded: the app shows them
/// before its owner approves. Then poll `GET /v1/expertpass/challenges/{id}` every `interval` seconds with
/// the `poll_token` until the status is no longer `pending`.
#[utoipa::path(
    operation_id = "create_expertpass_challenge",
    tag = "expertpass",
    request_body = CreateExpertpassChallengeRequest,
    responses(
        (status = 201, description = "Challenge created", body = QrChallenge),
        (status = 422, description = "`invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many challenges from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/expertpass/challenges")]
pub async fn create_challenge(
    ctx: web::Data<ApiContext>,
    client: Client,
    body: web::Json<CreateExpertpassChallengeRequest>,
) -> Result<HttpResponse, ApiError> {
    let NewChallenge {
        challenge,
        qr_payload,
        qr_svg,
        poll_token,
    } = flow::create_challenge(&ctx, body.keep_session_active, client).await?;
    Ok(HttpResponse::Created().json(QrChallenge {
        challenge_id: challenge.id,
        qr_payload,
        qr_svg,
        number: challenge.number,
        poll_token,
        expires_at: challenge.expires_at.and_utc(),
        expires_in: expertpass::CHALLENGE_LIFETIME.num_seconds(),
        interval: expertpass::POLL_INTERVAL_SECS,
    }))
}
