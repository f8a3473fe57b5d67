//! `flows::declarations`.
