//! The links sent by email that initialise (activation) or reset a password.

pub mod inspect;
pub mod set_password;
