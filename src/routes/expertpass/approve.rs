use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::poll_challenge::ChallengeStatus;
use crate::{
    auth::expertpass::Decision,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        expertpass::approve::{self as flow, Approval},
        Client,
    },
};

/// The app's signed decision on a challenge it scanned.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApprovalRequest {
    /// The device id returned by `POST /v1/me/devices` when the app was enrolled.
    pub device_id: String,
    /// `approve` or `deny`; the same word is the 4th line of the signed message.
    pub decision: Decision,
    /// The number the owner chose among the three `number_choices` of the context: required to
    /// approve, optional to deny. The 5th line of the signed message (`-` when absent).
    #[schema(example = 42, minimum = 10, maximum = 99)]
    #[serde(default)]
    pub number: Option<i64>,
    /// Unix time in seconds when the app signed, the 6th line of the signed message. Must be
    /// within 120 seconds of the server's clock.
    #[schema(example = 1764250010)]
    pub timestamp: i64,
    /// Ed25519 signature (64 bytes) of the message
    /// `comptexpert-expertpass-v2\n{challenge_id}\n{nonce}\n{decision}\n{number}\n{timestamp}`,
    /// encoded base64url without padding (padded and standard base64 are accepted too).
    pub signature: String,
}

/// What was recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalOutcome {
    pub challenge_id: String,
    /// `approved` or `denied`.
    pub status: ChallengeStatus,
}

/// Approve or deny an Expertpass sign-in (mobile app side). The app scanned the QR code
/// `comptexpert://login?c={challenge_id}&n={nonce}`, read the context
/// (`GET /v1/expertpass/challenges/{id}/context`), showed it and the three numbers to its owner,
/// and signs with the device's enrolled Ed25519 key the UTF-8 message of six lines joined by
/// `\n`, without a trailing newline:
///
/// ```text
/// comptexpert-expertpass-v2
/// {challenge_id}
/// {nonce}
/// {decision}
/// {number}
/// {timestamp}
/// ```
///
/// `decision` is `approve` or `deny`, `number` the chosen number (two digits; `-` for a denial
/// without a choice), `timestamp` the Unix time in seconds (decimal). An approval signs in the
/// account that enrolled the device, if `number` is the one the browser shows; any other number
/// cancels the challenge (403 `number_mismatch`) and nobody can approve it any more. A challenge
/// is decided once: replaying a decision is 409, a decision after the 2 minutes is 410. Messages
/// of version 1 (`comptexpert-expertpass-v1`, without a number) are refused with 422
/// `outdated_app`.
#[utoipa::path(
    operation_id = "approve_expertpass_challenge",
    tag = "expertpass",
    params(("id" = String, Path, description = "The challenge id (`c` of the QR payload)")),
    request_body = ApprovalRequest,
    responses(
        (status = 200, description = "Decision recorded; the browser learns it at its next poll", body = ApprovalOutcome),
        (status = 401, description = "`unknown_device`: no such device (removed?) or its account cannot sign in; `invalid_signature`: not this device's signature of the message; `stale_timestamp`: `timestamp` more than 120 s away from the server's clock", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`number_mismatch`: the number chosen is not the one the browser shows; the challenge is now cancelled (its browser's poll says `cancelled`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such challenge", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`challenge_already_decided`: approved, denied or cancelled already", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`challenge_expired`: nobody decided within the 2 minutes", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (signature not 64 bytes of base64, empty device id, number missing from an approval or not 10 to 99), `invalid_body` (unknown decision) or `outdated_app` (a version 1 message, without the number: the app must be updated)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/expertpass/challenges/{id}/approval")]
pub async fn approve(
    ctx: web::Data<ApiContext>,
    client: Client,
    id: web::Path<String>,
    body: web::Json<ApprovalRequest>,
) -> Result<HttpResponse, ApiError> {
    let ApprovalRequest {
        device_id,
        decision,
        number,
        timestamp,
        signature,
    } = body.into_inner();
    let challenge_id = id.into_inner();
    let approval = Approval {
        challenge_id: challenge_id.clone(),
        device_id,
        decision,
        number,
        timestamp,
        signature,
    };
    let recorded = flow::approve(&ctx, approval, client).await?;
    Ok(HttpResponse::Ok().json(ApprovalOutcome {
        challenge_id,
        status: match recorded {
            Decision::Approve => ChallengeStatus::Approved,
            Decision::Deny => ChallengeStatus::Denied,
        },
    }))
}
