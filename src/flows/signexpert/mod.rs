//! Signexpert: the certificate challenge, the signed proof that signs in, and enrolling or removing a certificate.
//!
//! A challenge is a nonce that a certificate's private key signs, used once within 2 minutes
//! ([`crate::auth::signexpert::CHALLENGE_LIFETIME`]) by a sign-in or an enrolment, whatever their
//! outcome. The proof itself (chain, validity, usage, revocation, signature) is
//! [`crate::auth::signexpert::proof::verify`].

pub mod create_challenge;
pub mod enrol_certificate;
pub mod list_certificates;
pub mod remove_certificate;
pub mod sign_in;
