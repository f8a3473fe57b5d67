//! Expertpass, the browser's side (challenge, polling) and the app's side (context, approval).

pub mod approve;
pub mod create_challenge;
pub mod poll_challenge;
pub mod read_context;

use actix_web::http::header::HeaderName;
use ed25519_dalek::VerifyingKey;

use crate::{
    auth::expertpass,
    context::ApiContext,
    db::{
        self, accounts::Account, expertpass_challenges::ExpertpassChallenge,
        expertpass_devices::ExpertpassDevice,
    },
    error::{ApiError, ErrorCode},
};

/// The header that carries the browser's poll token (kept out of URLs, which end up in logs).
pub const POLL_TOKEN_HEADER: HeaderName = HeaderName::from_static("expertpass-poll-token");

/// A challenge and the enrolled device that speaks about it, with the device's key.
struct SignedBy {
    challenge: ExpertpassChallenge,
    device: ExpertpassDevice,
    key: VerifyingKey,
}

/// Refuses a signed timestamp more than [`expertpass::CLOCK_SKEW_SECS`] from the server's clock.
fn check_timestamp(timestamp: i64) -> Result<(), ApiError> {
    let now = db::now().and_utc().timestamp();
    if timestamp.abs_diff(now) > expertpass::CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(stale_timestamp());
    }
    Ok(())
}

/// The challenge `challenge_id` and the device `device_id`, if that device is enrolled on an
/// account that may sign in: 404 for an unknown challenge, 401 `unknown_device` otherwise.
async fn challenge_and_device(
    ctx: &ApiContext,
    challenge_id: String,
    device_id: String,
) -> Result<SignedBy, ApiError> {
    let (challenge, device) = ctx
        .db
        .run(move |conn| {
            let challenge = ExpertpassChallenge::find(conn, &challenge_id)?;
            let device = match ExpertpassDevice::find(conn, &device_id)? {
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
    Ok(SignedBy {
        challenge,
        device,
        key,
    })
}

/// 410 `challenge_expired`: the 2 minutes passed without a decision, or the approved tokens were
/// not collected within 60 seconds. The browser's poll, the app's context read and its approval
/// all answer it alike.
pub fn challenge_expired() -> ApiError {
    ApiError::of(ErrorCode::ChallengeExpired)
}

fn unknown_device() -> ApiError {
    ApiError::of(ErrorCode::UnknownDevice)
}

fn invalid_signature() -> ApiError {
    ApiError::of(ErrorCode::InvalidSignature)
}

fn stale_timestamp() -> ApiError {
    ApiError::of(ErrorCode::StaleTimestamp)
}

fn already_decided() -> ApiError {
    ApiError::of(ErrorCode::ChallengeAlreadyDecided)
}
