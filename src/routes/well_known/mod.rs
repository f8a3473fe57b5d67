//! Documents other sites of the Ordre read without signing in.

pub mod jwks;
pub mod openid_configuration;
