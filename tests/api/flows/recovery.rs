//! `flows::recovery`.
