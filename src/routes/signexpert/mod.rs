//! Signexpert: a challenge to sign, and sign-in with a certificate.

pub mod create_challenge;
pub mod create_session;
