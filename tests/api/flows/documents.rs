//! `flows::documents`.
