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
    db::sessions::refresh_lifetime,
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
    /// Refresh-token lifetime in seconds: 30 days with "Garder ma session active", else 12 hours.
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
            refresh_expires_in: refresh_lifetime(signed_in.session.keep_active).num_seconds(),
            session_id: signed_in.session.id,
            account: AccountView::from(&signed_in.account),
        }
    }
}
