//! The register of members as registration reads it: the name pre-fill and the SUPRA number match.

pub mod match_member;
pub mod search_members;
