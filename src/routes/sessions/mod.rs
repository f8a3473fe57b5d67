//! Sign-in with identifier and password, token refresh, sign-out.

pub mod create;
pub mod delete_current;
pub mod refresh;
pub mod revoke;

use crate::error::{ApiError, ErrorCode};

/// The one answer to every failed password sign-in: unknown identifier, wrong password and
/// not-yet-activated account are indistinguishable.
pub fn invalid_credentials() -> ApiError {
    ApiError::of(ErrorCode::InvalidCredentials)
}
