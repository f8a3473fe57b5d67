use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::POLL_TOKEN_HEADER;
use crate::routes::sessions::TokenResponse;
use crate::{
    auth::expertpass,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        expertpass::poll_challenge::{self as flow, Poll},
        Client,
    },
};

/// Where an Expertpass sign-in stands: `pending` (poll again after `interval` seconds), `approved`
/// (this answer carries the tokens, and is the only one that will), `denied` (the app refused),
/// `cancelled` (the app's owner chose a number the browser did not show; `reason` says so).
/// An expired challenge is not a status: it answers 410 `challenge_expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    /// Nobody decided yet: poll again after `interval` seconds.
    Pending,
    /// The app approved: this answer carries the tokens (and is the only one that will).
    Approved,
    /// The app refused.
    Denied,
    /// The app's owner chose a number other than the one shown: show a new QR code.
    Cancelled,
}

/// Why a challenge was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The app's owner chose a number the browser did not show.
    NumberMismatch,
}

/// The state of a challenge, as its browser sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeState {
    pub status: ChallengeStatus,
    /// When `cancelled`: why (`number_mismatch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<CancelReason>,
    /// While `pending`: when the QR code expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// While `pending`: seconds to wait before the next poll.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 2)]
    pub interval: Option<i64>,
    /// When `approved`: the new session's tokens (`amr` = `qr`), exactly as `POST /v1/sessions`
    /// returns them. Delivered on this answer only; the next poll answers 410 `challenge_consumed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenResponse>,
}

/// Poll an Expertpass sign-in (browser side), with the challenge's `poll_token` in the
/// `Expertpass-Poll-Token` header. `pending` until the app decides; `approved` carries the
/// session's tokens exactly once (a later poll is 410 `challenge_consumed`); `denied`;
/// `cancelled` with `reason` `number_mismatch` when the app's owner chose the wrong number.
/// After 2 minutes without a decision, or 60 seconds after an approval nobody collected, the poll
/// answers 410 `challenge_expired`, as the app's approval and context read do.
#[utoipa::path(
    operation_id = "poll_expertpass_challenge",
    tag = "expertpass",
    params(
        ("id" = String, Path, description = "The challenge id"),
        ("Expertpass-Poll-Token" = String, Header, description = "The `poll_token` returned with the challenge"),
    ),
    responses(
        (status = 200, description = "The challenge's state; with the tokens when `approved`", body = ChallengeState),
        (status = 403, description = "`invalid_poll_token`: the header is missing or is not this challenge's poll token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such challenge (or expired more than an hour ago)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`challenge_expired`: nobody decided within the 2 minutes, or the approved tokens were not collected within 60 seconds (show a new QR code); `challenge_consumed`: the tokens were already handed out", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/expertpass/challenges/{id}")]
pub async fn poll_challenge(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let poll_token = req
        .headers()
        .get(POLL_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let poll =
        flow::poll_challenge(&ctx, id.into_inner(), poll_token, Client::of_request(&req)).await?;
    let state = match poll {
        Poll::Pending { expires_at } => ChallengeState {
            expires_at: Some(expires_at.and_utc()),
            interval: Some(expertpass::POLL_INTERVAL_SECS),
            ..bare(ChallengeStatus::Pending)
        },
        Poll::Denied => bare(ChallengeStatus::Denied),
        Poll::Cancelled => ChallengeState {
            reason: Some(CancelReason::NumberMismatch),
            ..bare(ChallengeStatus::Cancelled)
        },
        Poll::Approved(signed_in) => ChallengeState {
            tokens: Some(TokenResponse::from(*signed_in)),
            ..bare(ChallengeStatus::Approved)
        },
    };
    Ok(HttpResponse::Ok().json(state))
}

fn bare(status: ChallengeStatus) -> ChallengeState {
    ChallengeState {
        status,
        reason: None,
        expires_at: None,
        interval: None,
        tokens: None,
    }
}
