//! Sign-in with identifier and password, token refresh, sign-out.

pub mod create;
pub mod delete_current;
pub mod refresh;
pub mod revoke;

use actix_web::http::StatusCode;

use crate::{error::ApiError, i18n::Text};

/// The one answer to every failed password sign-in: unknown identifier, wrong password and
/// not-yet-activated account are indistinguishable.
pub fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        Text::new(
            "Identifiant ou mot de passe incorrect",
            "Incorrect identifier or password",
        ),
        Text::new(
            "L'identifiant ou le mot de passe est incorrect.",
            "The identifier or the password is incorrect.",
        ),
    )
}
