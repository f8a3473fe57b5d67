//! Lost identifier or password (Partie 3 of the guide).

pub mod request;
