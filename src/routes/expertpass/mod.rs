//! Expertpass, the browser's side (challenge, polling) and the app's side (context, approval).

pub mod approve;
pub mod create_challenge;
pub mod poll_challenge;
pub mod read_context;

use actix_web::http::header::HeaderName;

/// The header that carries the browser's poll token (kept out of URLs, which end up in logs).
pub const POLL_TOKEN_HEADER: HeaderName = HeaderName::from_static("expertpass-poll-token");
