//! Public reference data: qualités and regions.

pub mod list_qualities;
pub mod list_regions;
