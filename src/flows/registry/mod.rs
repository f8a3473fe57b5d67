//! The register of members as registration reads it: the name pre-fill and the SUPRA number match.
