//! Liveness and readiness probes.

pub mod liveness;
pub mod readiness;
