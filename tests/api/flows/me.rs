//! `flows::me`.
