//! `flows::regions`.
