//! Authentication: signing keys, password hashing, tokens, sessions.

pub mod keys;
pub mod password;
