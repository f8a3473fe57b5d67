//! `flows::signexpert`.
