//! « Identifiant ou mot de passe oublié » and the password links: asking for one, reading one, setting the password.

pub mod inspect_link;
pub mod request_recovery;
pub mod set_password;

use crate::{
    domain::tokens,
    error::{ApiError, ErrorCode},
};

/// `link_invalid` for a password link that is unknown, used or expired: the three are not told apart.
pub fn link_invalid() -> ApiError {
    ApiError::of(ErrorCode::LinkInvalid)
}

/// Refuses a token that cannot be one before it reaches the database.
fn check_shape(token: &str) -> Result<(), ApiError> {
    if tokens::is_well_formed(token) {
        Ok(())
    } else {
        Err(link_invalid())
    }
}
