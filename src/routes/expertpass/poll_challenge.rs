use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{challenge_expired, POLL_TOKEN_HEADER};
use crate::domain::states::ExpertpassChallengeStatus;
use crate::domain::tokens;
use crate::flows::Client;
use crate::routes::sessions::TokenResponse;
use crate::{
    auth::{
        expertpass,
        session_tokens::{self, SignInContext},
    },
    context::ApiContext,
    db::{self, accounts::Account, expertpass_challenges::ExpertpassChallenge},
    error::{ApiError, ErrorCode, Problem},
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

enum Outcome {
    Pending(DateTime<Utc>),
    Denied,
    Cancelled,
    Expired,
    Approved(Box<Account>, bool),
    Consumed,
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
    let presented = req
        .headers()
        .get(POLL_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| tokens::is_well_formed(t))
        .map(tokens::digest);
    let id = id.into_inner();
    let outcome = ctx
        .db
        .run(move |conn| {
            let now = db::now();
            let Some(challenge) = ExpertpassChallenge::find(conn, &id)? else {
                return Err(ApiError::not_found());
            };
            // Both sides are SHA-256 digests: comparing them reveals nothing about the token.
            if presented.as_deref() != Some(challenge.poll_token_hash.as_str()) {
                return Err(invalid_poll_token());
            }
            let live = challenge.expires_at > now;
            Ok(match challenge.status {
                ExpertpassChallengeStatus::Pending if live => {
                    Outcome::Pending(challenge.expires_at.and_utc())
                }
                ExpertpassChallengeStatus::Pending => Outcome::Expired,
                ExpertpassChallengeStatus::Denied => Outcome::Denied,
                ExpertpassChallengeStatus::Cancelled => Outcome::Cancelled,
                ExpertpassChallengeStatus::Approved if live => collect(conn, &challenge, now)?,
                ExpertpassChallengeStatus::Approved => Outcome::Expired,
                ExpertpassChallengeStatus::Consumed => Outcome::Consumed,
            })
        })
        .await?;
    let state = match outcome {
        Outcome::Pending(expires_at) => ChallengeState {
            expires_at: Some(expires_at),
            interval: Some(expertpass::POLL_INTERVAL_SECS),
            ..bare(ChallengeStatus::Pending)
        },
        Outcome::Denied => bare(ChallengeStatus::Denied),
        Outcome::Cancelled => ChallengeState {
            reason: Some(CancelReason::NumberMismatch),
            ..bare(ChallengeStatus::Cancelled)
        },
        Outcome::Expired => return Err(challenge_expired()),
        Outcome::Consumed => return Err(challenge_consumed()),
        Outcome::Approved(account, keep_active) => {
            let tokens = session_tokens::open(
                &ctx,
                *account,
                SignInContext {
                    amr: "qr",
                    keep_active,
                    client: Client::of_request(&req),
                },
            )
            .await?;
            ChallengeState {
                tokens: Some(TokenResponse::from(tokens)),
                ..bare(ChallengeStatus::Approved)
            }
        }
    };
    Ok(HttpResponse::Ok().json(state))
}

/// Takes the approved challenge's tokens for this poll, if no other poll took them first.
fn collect(
    conn: &mut db::DbConnection,
    challenge: &ExpertpassChallenge,
    now: chrono::NaiveDateTime,
) -> Result<Outcome, ApiError> {
    db::session_write_transaction(conn, |conn| {
        if !ExpertpassChallenge::consume(conn, &challenge.id, now)? {
            return Ok(Outcome::Consumed);
        }
        let account = match &challenge.account_id {
            Some(account_id) => Account::find(conn, account_id)?.filter(Account::is_active),
            None => None,
        };
        Ok(match account {
            Some(account) => Outcome::Approved(Box::new(account), challenge.keep_active),
            None => Outcome::Denied,
        })
    })
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

fn invalid_poll_token() -> ApiError {
    ApiError::of(ErrorCode::InvalidPollToken)
}

fn challenge_consumed() -> ApiError {
    ApiError::of(ErrorCode::ChallengeConsumed)
}
