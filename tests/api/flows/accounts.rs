//! `flows::accounts`.
