//! The signed-in account: its profile, password, email, sessions and security history.

pub mod notify;
pub mod profile;
pub mod security_history;
