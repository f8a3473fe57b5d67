//! Confirming a new email address through the link sent to it.

pub mod confirm;
