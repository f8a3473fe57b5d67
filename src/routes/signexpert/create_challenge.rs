use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::signexpert,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{signexpert::create_challenge as flow, Client},
};

/// A nonce for a certificate's key to sign.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignexpertChallengeView {
    /// Send it back with the signature.
    pub challenge_id: String,
    /// 256 random bits, base64url.
    pub nonce: String,
    /// The exact UTF-8 text to sign: `comptexpert-signexpert-v1\n{challenge_id}\n{nonce}` (three
    /// lines joined by `\n`, no trailing newline). Sign these bytes, not a hash of them: the
    /// algorithms hash with SHA-256 themselves.
    #[schema(
        example = "comptexpert-signexpert-v1\n0193a0a4-7c1e-7b7e-9d5e-3f1c2b4a5d6e\nq8Vd2Yv0m4f6cGk1hRrT9pXw3zLbNnA7sJ5eUoKiQyE"
    )]
    pub message_to_sign: String,
    /// Single use, until this instant (2 minutes).
    pub expires_at: DateTime<Utc>,
    /// Seconds until `expires_at`.
    #[schema(example = 120)]
    pub expires_in: i64,
}

/// Get a Signexpert challenge: a nonce to sign with the certificate's private key, usable once
/// within 2 minutes, by `POST /v1/signexpert/sessions` (sign-in) or `POST /v1/me/certificates`
/// (enrolment).
#[utoipa::path(
    operation_id = "create_signexpert_challenge",
    tag = "signexpert",
    responses(
        (status = 201, description = "Challenge created", body = SignexpertChallengeView),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`signexpert_unavailable`: no trust anchors are configured (`SIGNEXPERT_CA_FILE`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signexpert/challenges")]
pub async fn create_challenge(
    ctx: web::Data<ApiContext>,
    client: Client,
) -> Result<HttpResponse, ApiError> {
    let challenge = flow::create_challenge(&ctx, client).await?;
    Ok(HttpResponse::Created().json(SignexpertChallengeView {
        message_to_sign: signexpert::signed_message(&challenge.id, &challenge.nonce),
        challenge_id: challenge.id,
        nonce: challenge.nonce,
        expires_at: challenge.expires_at.and_utc(),
        expires_in: signexpert::CHALLENGE_LIFETIME.num_seconds(),
    }))
}
