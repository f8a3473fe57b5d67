//! `flows::bureaux`.
