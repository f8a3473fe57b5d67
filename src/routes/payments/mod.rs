//! Server-to-server notifications of payment providers and of the bank feed.

pub mod webhook;
