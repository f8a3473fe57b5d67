use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    already_decided, challenge_and_device, challenge_expired, check_timestamp, invalid_signature,
    poll_challenge::ChallengeStatus, SignedBy,
};
use crate::domain::states::{ExpertpassChallengeStatus, SecurityEventKind};
use crate::{
    auth::expertpass::{self, Decision},
    context::ApiContext,
    db::{
        self,
        expertpass_challenges::{Decided, ExpertpassChallenge},
        expertpass_devices::ExpertpassDevice,
        security_events::{NewEvent, SecurityEvent},
    },
    error::{ApiError, ErrorCode, FieldIssue, Problem},
    i18n::Text,
    limits,
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

/// What the decision did to the challenge.
enum Recorded {
    Decided,
    /// The number was not the browser's: the challenge is cancelled.
    Cancelled,
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
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<ApprovalRequest>,
) -> Result<HttpResponse, ApiError> {
    let client_address = limits::client_address(&req);
    limits::enforce(
        &ctx,
        limits::EXPERTPASS_APPROVAL_PER_CLIENT,
        &client_address,
    )
    .await?;
    let ApprovalRequest {
        device_id,
        decision,
        number,
        timestamp,
        signature,
    } = body.into_inner();
    let mut issues = Vec::new();
    let device_id = device_id.trim().to_owned();
    if device_id.is_empty() || device_id.len() > 64 {
        issues.push(FieldIssue::new(
            "device_id",
            "required",
            Text::new(
                "Indiquez l'identifiant de l'appareil.",
                "Give the device id.",
            ),
        ));
    }
    let number = match number.map(i32::try_from) {
        None => None,
        Some(Ok(n)) if expertpass::NUMBER_RANGE.contains(&n) => Some(n),
        Some(_) => {
            issues.push(number_issue());
            None
        }
    };
    let signature = expertpass::parse_signature(&signature);
    if signature.is_none() {
        issues.push(FieldIssue::new(
            "signature",
            "ed25519_signature",
            Text::new(
                "La signature doit être une signature Ed25519 de 64 octets encodée en base64url.",
                "The signature must be a 64-byte Ed25519 signature, base64url-encoded.",
            ),
        ));
    }
    let (Some(signature), true) = (signature, issues.is_empty()) else {
        return Err(ApiError::validation(issues));
    };
    check_timestamp(timestamp)?;

    let SignedBy {
        challenge,
        device,
        key,
    } = challenge_and_device(&ctx, id.into_inner(), device_id).await?;
    let message =
        expertpass::approval_message(&challenge.id, &challenge.nonce, decision, number, timestamp);
    if !expertpass::verify(&key, &message, &signature) {
        let outdated = expertpass::outdated_approval_message(
            &challenge.id,
            &challenge.nonce,
            decision,
            timestamp,
        );
        return Err(if expertpass::verify(&key, &outdated, &signature) {
            outdated_app()
        } else {
            invalid_signature()
        });
    }
    if decision == Decision::Approve && number.is_none() {
        return Err(ApiError::validation(vec![number_issue()]));
    }

    let recorded_status = match decision {
        Decision::Approve if number != Some(challenge.number) => {
            ExpertpassChallengeStatus::Cancelled
        }
        Decision::Approve => ExpertpassChallengeStatus::Approved,
        Decision::Deny => ExpertpassChallengeStatus::Denied,
    };
    let challenge_id = challenge.id.clone();
    let recorded = ctx
        .db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let now = db::now();
                let decided = ExpertpassChallenge::decide(
                    conn,
                    &challenge.id,
                    Decided {
                        status: recorded_status,
                        account_id: &device.account_id,
                        device_id: &device.id,
                        expires_at: now + expertpass::COLLECT_WINDOW,
                    },
                    now,
                )?;
                if !decided {
                    let current = ExpertpassChallenge::find(conn, &challenge.id)?;
                    return Err(match current {
                        Some(c) if c.status == ExpertpassChallengeStatus::Pending => {
                            challenge_expired()
                        }
                        Some(_) => already_decided(),
                        None => ApiError::not_found(),
                    });
                }
                ExpertpassDevice::touch(conn, &device.id, now)?;
                if recorded_status != ExpertpassChallengeStatus::Approved {
                    // A refusal, or a number the browser did not show (someone else's QR code,
                    // relayed?): either belongs in the owner's security history.
                    SecurityEvent::record(
                        conn,
                        NewEvent {
                            account_id: &device.account_id,
                            kind: SecurityEventKind::SignInFailed,
                            method: Some("qr"),
                            client_address: Some(&client_address),
                            session_id: None,
                        },
                        now,
                    )?;
                }
                Ok(if recorded_status == ExpertpassChallengeStatus::Cancelled {
                    Recorded::Cancelled
                } else {
                    Recorded::Decided
                })
            })
        })
        .await?;
    if let Recorded::Cancelled = recorded {
        return Err(number_mismatch());
    }
    Ok(HttpResponse::Ok().json(ApprovalOutcome {
        challenge_id,
        status: match decision {
            Decision::Approve => ChallengeStatus::Approved,
            Decision::Deny => ChallengeStatus::Denied,
        },
    }))
}

fn number_issue() -> FieldIssue {
    FieldIssue::new(
        "number",
        "expertpass_number",
        Text::new(
            "Pour accepter, indiquez le nombre choisi (de 10 à 99).",
            "To approve, give the chosen number (10 to 99).",
        ),
    )
}

fn number_mismatch() -> ApiError {
    ApiError::of(ErrorCode::NumberMismatch)
}

fn outdated_app() -> ApiError {
    ApiError::of(ErrorCode::OutdatedApp)
}
