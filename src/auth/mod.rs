//! Authentication: signing keys, password hashing, tokens, sessions.

pub mod access;
pub mod extractor;
pub mod keys;
pub mod password;
pub mod session_tokens;
pub mod tokens;
