//! Sessions: signing in with identifier and password, refreshing, signing out.

pub mod sign_in;
