//! The regional dashboard and a bureau's detail, as the caller may see them.
pub mod dashboard;
pub mod detail;
pub mod managers;
