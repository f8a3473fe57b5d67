use actix_web::{http::StatusCode, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{challenge_expired, poll_challenge::ChallengeStatus};
use crate::{
    auth::expertpass::{self, Decision},
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        expertpass_challenges::{status, Decided, ExpertpassChallenge},
        expertpass_devices::ExpertpassDevice,
        security_events::{kind, NewEvent, SecurityEvent},
    },
    error::{ApiError, FieldIssue, Problem},
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
    /// Unix time in seconds when the app signed, the 5th line of the signed message. Must be
    /// within 120 seconds of the server's clock.
    #[schema(example = 1764250000)]
    pub timestamp: i64,
    /// Ed25519 signature (64 bytes) of the message
    /// `comptexpert-expertpass-v1\n{challenge_id}\n{nonce}\n{decision}\n{timestamp}`, encoded
    /// base64url without padding (padded and standard base64 are accepted too).
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
/// `comptexpert://login?c={challenge_id}&n={nonce}`, asked its owner, and signs with the device's
/// enrolled Ed25519 key the UTF-8 message of five lines joined by `\n`, without a trailing newline:
///
/// ```text
/// comptexpert-expertpass-v1
/// {challenge_id}
/// {nonce}
/// {decision}
/// {timestamp}
/// ```
///
/// `decision` is `approve` or `deny`, `timestamp` the Unix time in seconds (decimal). An
/// approval signs in the account that enrolled the device. A challenge is decided once:
/// replaying a decision is 409, a decision after the 2 minutes is 410.
#[utoipa::path(
    operation_id = "approve_expertpass_challenge",
    tag = "expertpass",
    params(("id" = String, Path, description = "The challenge id (`c` of the QR payload)")),
    request_body = ApprovalRequest,
    responses(
        (status = 200, description = "Decision recorded; the browser learns it at its next poll", body = ApprovalOutcome),
        (status = 401, description = "`unknown_device`: no such device (removed?) or its account cannot sign in; `invalid_signature`: not this device's signature of the message; `stale_timestamp`: `timestamp` more than 120 s away from the server's clock", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such challenge", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`challenge_already_decided`: approved or denied already", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`challenge_expired`: nobody decided within the 2 minutes", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (signature not 64 bytes of base64, empty device id) or `invalid_body` (unknown decision)", body = Problem, content_type = "application/problem+json"),
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
    let now = db::now();
    if timestamp.abs_diff(now.and_utc().timestamp()) > expertpass::CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(stale_timestamp());
    }

    let challenge_id = id.into_inner();
    let lookup = (challenge_id.clone(), device_id.clone());
    let (challenge, device) = ctx
        .db
        .run(move |conn| {
            let challenge = ExpertpassChallenge::find(conn, &lookup.0)?;
            let device = match ExpertpassDevice::find(conn, &lookup.1)? {
                Some(device) => Account::find(conn, &device.account_id)?
                    .filter(Account::is_active)
                    .map(|_| device),
                None => None,
            };
            Ok((challenge, device))
        })
        .await?;
    let challenge = challenge.ok_or_else(ApiError::not_found)?;
    let device = device.ok_or_else(unknown_device)?;
    let key = expertpass::parse_public_key(&device.public_key)
        .ok_or_else(|| ApiError::internal("an enrolled Expertpass key does not parse"))?;
    let message =
        expertpass::approval_message(&challenge.id, &challenge.nonce, decision, timestamp);
    if !expertpass::verify(&key, &message, &signature) {
        return Err(invalid_signature());
    }

    let recorded_status = match decision {
        Decision::Approve => status::APPROVED,
        Decision::Deny => status::DENIED,
    };
    ctx.db
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
                        Some(c) if c.status == status::PENDING => challenge_expired(),
                        Some(_) => already_decided(),
                        None => ApiError::not_found(),
                    });
                }
                ExpertpassDevice::touch(conn, &device.id, now)?;
                if decision == Decision::Deny {
                    // The owner refused a sign-in: it belongs in their security history.
                    SecurityEvent::record(
                        conn,
                        NewEvent {
                            account_id: &device.account_id,
                            kind: kind::SIGN_IN_FAILED,
                            method: Some("qr"),
                            client_address: Some(&client_address),
                            session_id: None,
                        },
                        now,
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(ApprovalOutcome {
        challenge_id,
        status: match decision {
            Decision::Approve => ChallengeStatus::Approved,
            Decision::Deny => ChallengeStatus::Denied,
        },
    }))
}

fn unknown_device() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unknown_device",
        Text::new("Appareil inconnu", "Unknown device"),
        Text::new(
            "Cet appareil n'est pas (ou plus) associé à un compte ComptExpert actif. Associez-le à nouveau depuis votre espace.",
            "This device is not (or no longer) enrolled on an active ComptExpert account. Enrol it again from your account.",
        ),
    )
}

fn invalid_signature() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_signature",
        Text::new("Signature invalide", "Invalid signature"),
        Text::new(
            "La signature ne correspond pas à ce QR code et à la clé de cet appareil.",
            "The signature does not match this QR code and this device's key.",
        ),
    )
}

fn stale_timestamp() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "stale_timestamp",
        Text::new("Horloge décalée", "Clock out of sync"),
        Text::new(
            "L'horodatage signé est trop éloigné de l'heure du serveur (plus de 2 minutes). Vérifiez l'heure de l'appareil.",
            "The signed timestamp is too far from the server's time (more than 2 minutes). Check the device's clock.",
        ),
    )
}

fn already_decided() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "challenge_already_decided",
        Text::new("Déjà traité", "Already decided"),
        Text::new(
            "Cette demande de connexion a déjà été acceptée ou refusée.",
            "This sign-in request was already approved or denied.",
        ),
    )
}
