//! `flows::registry`.
