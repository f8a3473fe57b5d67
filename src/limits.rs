//! Rate limits per client address and per target, counted in the database (see
//! [`crate::db::rate_limits`]) so that they hold across instances.

use crate::{context::ApiContext, db, error::ApiError};

/// A limit: at most `limit` hits per `window_secs` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Name of the guarded action, part of the bucket key.
    pub action: &'static str,
    /// Window length in seconds.
    pub window_secs: i64,
    /// Hits allowed per window.
    pub limit: i32,
}

/// "Vous ne vous trouvez pas ?": a SUPRA number + birth date guess, per client address.
pub const REGISTRY_MATCH_PER_CLIENT: Limit = Limit {
    action: "registry_match",
    window_secs: 3600,
    limit: 10,
};
/// The same guess, per SUPRA number whatever the address (guards one member's birth date).
pub const REGISTRY_MATCH_PER_SUPRA: Limit = Limit {
    action: "registry_match_supra",
    window_secs: 3600,
    limit: 10,
};
/// Account creation (both forms), per client address.
pub const REGISTRATION_PER_CLIENT: Limit = Limit {
    action: "registration",
    window_secs: 3600,
    limit: 20,
};

/// Password sign-in, per client address (an office behind one NAT address signs in many people).
pub const SIGN_IN_PER_CLIENT: Limit = Limit {
    action: "sign_in",
    window_secs: 60,
    limit: 300,
};
/// Expertpass QR challenges, per client address (a login page renews its QR code every 2 minutes).
pub const EXPERTPASS_CHALLENGE_PER_CLIENT: Limit = Limit {
    action: "expertpass_challenge",
    window_secs: 60,
    limit: 300,
};
/// Expertpass decisions signed by apps, per client address (mobile networks share addresses).
pub const EXPERTPASS_APPROVAL_PER_CLIENT: Limit = Limit {
    action: "expertpass_approval",
    window_secs: 60,
    limit: 300,
};
/// Signexpert challenges, per client address.
pub const SIGNEXPERT_CHALLENGE_PER_CLIENT: Limit = Limit {
    action: "signexpert_challenge",
    window_secs: 60,
    limit: 300,
};
/// Signexpert proofs (sign-in and enrolment), per client address: each costs a chain validation.
pub const SIGNEXPERT_PROOF_PER_CLIENT: Limit = Limit {
    action: "signexpert_proof",
    window_secs: 60,
    limit: 300,
};
/// Lost identifier/password requests, per client address.
pub const RECOVERY_PER_CLIENT: Limit = Limit {
    action: "recovery",
    window_secs: 3600,
    limit: 20,
};
/// Lost identifier/password requests, per email address (no mail-bombing a victim).
pub const RECOVERY_PER_EMAIL: Limit = Limit {
    action: "recovery_email",
    window_secs: 3600,
    limit: 5,
};

/// Counts a hit for `subject` and refuses with 429 + `Retry-After` once over the limit.
pub async fn enforce(ctx: &ApiContext, limit: Limit, subject: &str) -> Result<(), ApiError> {
    if !ctx.settings.request_rate_limits {
        return Ok(());
    }
    let bucket = format!("{}:{}", limit.action, subject);
    let outcome = ctx
        .db
        .run(move |conn| {
            Ok(db::rate_limits::hit(
                conn,
                &bucket,
                limit.window_secs,
                limit.limit,
                db::now(),
            )?)
        })
        .await?;
    outcome.map(|_| ()).map_err(ApiError::rate_limited)
}
