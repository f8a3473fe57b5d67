//! Sessions: signing in with identifier and password, refreshing, signing out.

pub mod refresh;
pub mod sign_in;
pub mod sign_out;
