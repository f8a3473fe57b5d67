//! The links sent by email that initialise (activation) or reset a password.

pub mod inspect;
pub mod set_password;

use crate::{
    domain::tokens,
    error::{ApiError, ErrorCode},
};

/// 410 for a link that is unknown, used or expired: the three are not told apart.
pub fn link_invalid() -> ApiError {
    ApiError::of(ErrorCode::LinkInvalid)
}

/// Rejects junk before it reaches the database.
pub fn check_shape(token: &str) -> Result<(), ApiError> {
    if tokens::is_well_formed(token) {
        Ok(())
    } else {
        Err(link_invalid())
    }
}
