//! Sign-in with identifier and password, token refresh, sign-out.

pub mod create;
pub mod delete_current;
pub mod refresh;
pub mod revoke;

use serde::Serialize;
use utoipa::ToSchema;

use super::me::AccountView;
use crate::{
    auth::{access, session_tokens::SignedIn},
    error::{ApiError, ErrorCode},
};

/// The one answer to every failed password sign-in: unknown identifier, wrong password and
/// not-yet-activated account are indistinguishable.
pub fn invalid_credentials() -> ApiError {
    ApiError::of(ErrorCode::InvalidCredentials)
}

/// The tokens of a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer …` (EdDSA, 15 minutes).
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Access-token lifetime in seconds.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque, single use: exchange it at `POST /v1/sessions/refresh` for a new pair.
    pub refresh_token: String,
    /// Seconds until the refresh token expires: 30 days with "Garder ma session active", else 12
    /// hours, or less once the session nears its absolute end (by default 90 days and 24 hours
    /// after it was opened), when its holder must sign in again.
    #[schema(example = 43200)]
    pub refresh_expires_in: i64,
    /// The session id (the `sid` claim), as listed by `GET /v1/me/sessions`.
    pub session_id: String,
    /// The signed-in account.
    pub account: AccountView,
}

impl From<SignedIn> for TokenResponse {
    fn from(signed_in: SignedIn) -> Self {
        Self {
            access_token: signed_in.access_token,
            token_type: "Bearer",
            expires_in: access::ACCESS_TOKEN_SECONDS,
            refresh_token: signed_in.refresh_token,
            // Opening and each refresh set `last_used_at` to now: what is left until the session's
            // expiry, the sliding lifetime or less once the absolute cap comes nearer.
            refresh_expires_in: (signed_in.session.expires_at - signed_in.session.last_used_at)
                .num_seconds(),
            session_id: signed_in.session.id,
            account: AccountView::from(&signed_in.account),
        }
    }
}
