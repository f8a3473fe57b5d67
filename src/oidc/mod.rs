//! The OpenID Connect provider for the Ordre's other sites (relying parties): their registration
//! here; the flows build on it.

pub mod clients;
pub mod keys;
pub mod pkce;
pub mod tokens;
