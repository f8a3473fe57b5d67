//! The links sent by email that initialise (activation) or reset a password.

pub mod inspect;
pub mod set_password;

use actix_web::http::StatusCode;

use crate::{auth::tokens, error::ApiError, i18n::Text};

/// 410 for a link that is unknown, used or expired: the three are not told apart.
pub fn link_invalid() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "link_invalid",
        Text::new("Lien expiré ou déjà utilisé", "Link expired or already used"),
        Text::new(
            "Ce lien n'est plus valide. Demandez-en un nouveau depuis « Identifiant ou mot de passe oublié ».",
            "This link is no longer valid. Request a new one from \"Forgot identifier or password\".",
        ),
    )
}

/// Rejects junk before it reaches the database.
pub fn check_shape(token: &str) -> Result<(), ApiError> {
    if tokens::is_well_formed(token) {
        Ok(())
    } else {
        Err(link_invalid())
    }
}
