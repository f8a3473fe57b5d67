//! The signed-in account: its profile, password, email, sessions and security history.
