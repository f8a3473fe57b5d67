//! The app's signed decision on a challenge it scanned: `approve` with the number the browser
//! shows signs the browser in at its next poll; `approve` with another number cancels the
//! challenge (someone else's QR code, relayed?); `deny` refuses it. A challenge is decided once,
//! within its 2 minutes. A refusal or a cancellation goes into the owner's security history.

use super::{
    already_decided, challenge_and_device, challenge_expired, check_timestamp, invalid_signature,
    SignedBy,
};
use crate::{
    auth::expertpass::{self, Decision},
    context::ApiContext,
    db::{
        self,
        expertpass_challenges::{Decided, ExpertpassChallenge},
        expertpass_devices::ExpertpassDevice,
        security_events::{NewEvent, SecurityEvent},
    },
    domain::states::{ExpertpassChallengeStatus, SecurityEventKind},
    error::{ApiError, ErrorCode, FieldIssue},
    flows::Client,
    i18n::Text,
    limits,
};

/// The longest device id looked up.
const DEVICE_ID_MAX_LEN: usize = 64;

/// The app's decision, as it sent it.
pub struct Approval {
    /// The challenge decided on (`c` of the QR payload).
    pub challenge_id: String,
    /// The device id from enrolment.
    pub device_id: String,
    /// `approve` or `deny`.
    pub decision: Decision,
    /// The number the owner chose: required to approve, 10 to 99.
    pub number: Option<i64>,
    /// Unix time in seconds when the app signed.
    pub timestamp: i64,
    /// The device's Ed25519 signature of the approval message, base64url.
    pub signature: String,
}

/// Records the device's decision on the challenge; returns the decision recorded (the browser
/// learns it at its next poll). A wrong number is refused with 403 `number_mismatch` after the
/// challenge is cancelled.
pub async fn approve(
    ctx: &ApiContext,
    approval: Approval,
    client: Client,
) -> Result<Decision, ApiError> {
    limits::enforce(ctx, limits::EXPERTPASS_APPROVAL_PER_CLIENT, &client.address).await?;
    let Approval {
        challenge_id,
        device_id,
        decision,
        number,
        timestamp,
        signature,
    } = approval;
    let mut issues = Vec::new();
    let device_id = device_id.trim().to_owned();
    if device_id.is_empty() || device_id.len() > DEVICE_ID_MAX_LEN {
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
    check_timestamp(timestamp, ctx.clock.now())?;

    let SignedBy {
        challenge,
        device,
        key,
    } = challenge_and_device(ctx, challenge_id, device_id).await?;
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

    // Number matching: only the number the browser shows approves; any other cancels.
    let recorded = match decision {
        Decision::Approve if number != Some(challenge.number) => {
            ExpertpassChallengeStatus::Cancelled
        }
        Decision::Approve => ExpertpassChallengeStatus::Approved,
        Decision::Deny => ExpertpassChallengeStatus::Denied,
    };
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let decided = ExpertpassChallenge::decide(
                    conn,
                    &challenge.id,
                    Decided {
                        status: recorded,
                        account_id: &device.account_id,
                        device_id: &device.id,
                        expires_at: now + expertpass::COLLECT_WINDOW,
                    },
                    now,
                )?;
                if !decided {
                    // Decided by someone else already, or past its time (still `pending`).
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
                if recorded != ExpertpassChallengeStatus::Approved {
                    // A refusal, or a number the browser did not show (someone else's QR code,
                    // relayed?): either belongs in the owner's security history.
                    SecurityEvent::record(
                        conn,
                        NewEvent {
                            account_id: &device.account_id,
                            kind: SecurityEventKind::SignInFailed,
                            method: Some("qr"),
                            client_address: Some(&client.address),
                            session_id: None,
                        },
                        now,
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    if recorded == ExpertpassChallengeStatus::Cancelled {
        return Err(number_mismatch());
    }
    Ok(decision)
}

/// The number is missing from an approval, or not 10 to 99.
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

/// 403 `number_mismatch`: the owner chose a number the browser does not show.
fn number_mismatch() -> ApiError {
    ApiError::of(ErrorCode::NumberMismatch)
}

/// 422 `outdated_app`: a version 1 message, without the number.
fn outdated_app() -> ApiError {
    ApiError::of(ErrorCode::OutdatedApp)
}
