//! `flows::payments`.
