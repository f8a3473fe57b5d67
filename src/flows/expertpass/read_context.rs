//! The app reads what to show its owner before they decide (who asks, from which browser, from
//! roughly where and when, and the three numbers), proving with its enrolled key that it holds
//! the QR code. Reading changes nothing: the app may read again.

use super::{
    already_decided, challenge_and_device, challenge_expired, check_timestamp, invalid_signature,
    SignedBy,
};
use crate::{
    auth::expertpass,
    context::ApiContext,
    db::expertpass_challenges::ExpertpassChallenge,
    domain::states::ExpertpassChallengeStatus,
    error::{ApiError, FieldIssue},
    flows::Client,
    i18n::Text,
    limits,
};

/// The longest device id looked up.
const DEVICE_ID_MAX_LEN: usize = 64;

/// The app's signed request, as sent (the `Expertpass-*` headers; `None` when absent).
pub struct ContextRequest {
    /// The challenge id (`c` of the QR payload).
    pub challenge_id: String,
    /// The device id from enrolment.
    pub device_id: Option<String>,
    /// When the device signed: Unix time in seconds, in decimal.
    pub timestamp: Option<String>,
    /// The device's Ed25519 signature of the context message, base64url.
    pub signature: Option<String>,
}

/// The `pending` challenge whose context the device may read: its user agent, approximate
/// address, times and offered numbers are what the app shows.
pub async fn read_context(
    ctx: &ApiContext,
    request: ContextRequest,
    client: Client,
) -> Result<ExpertpassChallenge, ApiError> {
    limits::enforce(ctx, limits::EXPERTPASS_APPROVAL_PER_CLIENT, &client.address).await?;
    let present = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let device_id = present(&request.device_id).filter(|d| d.len() <= DEVICE_ID_MAX_LEN);
    let timestamp = present(&request.timestamp).and_then(|t| t.parse::<i64>().ok());
    let signature = present(&request.signature).and_then(|s| expertpass::parse_signature(&s));
    let missing_device = device_id.is_none();
    let (Some(device_id), Some(timestamp), Some(signature)) = (device_id, timestamp, signature)
    else {
        return Err(ApiError::validation(header_issues(
            missing_device,
            timestamp.is_none(),
            signature.is_none(),
        )));
    };
    check_timestamp(timestamp, ctx.clock.now())?;

    let SignedBy { challenge, key, .. } =
        challenge_and_device(ctx, request.challenge_id, device_id).await?;
    let message = expertpass::context_message(&challenge.id, &challenge.nonce, timestamp);
    if !expertpass::verify(&key, &message, &signature) {
        return Err(invalid_signature());
    }
    if challenge.status != ExpertpassChallengeStatus::Pending {
        return Err(already_decided());
    }
    if challenge.expires_at <= ctx.clock.now() {
        return Err(challenge_expired());
    }
    Ok(challenge)
}

/// One issue per missing or malformed header, named by the header.
fn header_issues(device_id: bool, timestamp: bool, signature: bool) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    if device_id {
        issues.push(FieldIssue::new(
            "Expertpass-Device-Id",
            "required",
            Text::new(
                "Indiquez l'identifiant de l'appareil dans l'en-tête Expertpass-Device-Id.",
                "Give the device id in the Expertpass-Device-Id header.",
            ),
        ));
    }
    if timestamp {
        issues.push(FieldIssue::new(
            "Expertpass-Timestamp",
            "unix_time",
            Text::new(
                "L'en-tête Expertpass-Timestamp doit donner l'heure Unix en secondes.",
                "The Expertpass-Timestamp header must give the Unix time in seconds.",
            ),
        ));
    }
    if signature {
        issues.push(FieldIssue::new(
            "Expertpass-Signature",
            "ed25519_signature",
            Text::new(
                "L'en-tête Expertpass-Signature doit porter une signature Ed25519 de 64 octets encodée en base64url.",
                "The Expertpass-Signature header must carry a 64-byte Ed25519 signature, base64url-encoded.",
            ),
        ));
    }
    issues
}
