//! The signed-in account: its profile, password, email, sessions and security history.

pub mod change_password;
pub mod notify;
pub mod profile;
pub mod request_email_change;
pub mod security_history;
pub mod sessions;
pub mod update_profile;
