//! `flows::expertpass`.
