//! Authentication: signing keys, password hashing, access tokens, sessions, and the Expertpass (QR code
//! and mobile app) and Signexpert (X.509 certificate) sign-in methods.

pub mod access;
pub mod access_cache;
pub mod encoding;
pub mod expertpass;
pub mod extractor;
pub mod keys;
pub mod password;
pub mod session_tokens;
pub mod signexpert;
