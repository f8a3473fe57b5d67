//! Expertpass: the QR-code challenge, its approval by the enrolled app, and enrolling or removing a device.
//!
//! A challenge is `pending` for 2 minutes ([`expertpass::CHALLENGE_LIFETIME`]). The app reads its
//! context, then signs a decision: `approve` with the number the browser shows makes it
//! `approved`, any other number `cancelled`, `deny` makes it `denied`; a challenge is decided once.
//! The browser polls it: an approval hands out the session's tokens once, within 60 seconds of
//! the decision ([`expertpass::COLLECT_WINDOW`]), and the challenge is then `consumed`. Past its
//! time, a challenge answers `challenge_expired` to everyone (the browser, the context read, the
//! approval).

pub mod approve;
pub mod create_challenge;
pub mod enrol_device;
pub mod list_devices;
pub mod poll_challenge;
pub mod read_context;
pub mod remove_device;

use chrono::NaiveDateTime;
use ed25519_dalek::VerifyingKey;

use crate::{
    auth::expertpass,
    context::ApiContext,
    db::{
        accounts::Account, expertpass_challenges::ExpertpassChallenge,
        expertpass_devices::ExpertpassDevice,
    },
    error::{ApiError, ErrorCode},
};

/// A challenge and the enrolled device that speaks about it, with the device's key.
struct SignedBy {
    challenge: ExpertpassChallenge,
    device: ExpertpassDevice,
    key: VerifyingKey,
}

/// Refuses a signed timestamp more than [`expertpass::CLOCK_SKEW_SECS`] from the server's clock.
fn check_timestamp(timestamp: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    let now = now.and_utc().timestamp();
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

/// 401 `unknown_device`: no such device, or its account cannot sign in.
fn unknown_device() -> ApiError {
    ApiError::of(ErrorCode::UnknownDevice)
}

/// 401 `invalid_signature`: not this device's signature of the message.
fn invalid_signature() -> ApiError {
    ApiError::of(ErrorCode::InvalidSignature)
}

/// 401 `stale_timestamp`: the signed time is too far from the server's clock.
fn stale_timestamp() -> ApiError {
    ApiError::of(ErrorCode::StaleTimestamp)
}

/// 409 `challenge_already_decided`: approved, denied or cancelled already.
fn already_decided() -> ApiError {
    ApiError::of(ErrorCode::ChallengeAlreadyDecided)
}
