//! Expertpass, the browser's side (challenge, polling) and the app's side (approval).

pub mod approve;
pub mod create_challenge;
pub mod poll_challenge;

use actix_web::http::{header::HeaderName, StatusCode};

use crate::{error::ApiError, i18n::Text};

/// The header that carries the browser's poll token (kept out of URLs, which end up in logs).
pub const POLL_TOKEN_HEADER: HeaderName = HeaderName::from_static("expertpass-poll-token");

/// 410 `challenge_expired`: the 2 minutes passed without a decision.
pub fn challenge_expired() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "challenge_expired",
        Text::new("QR code expiré", "QR code expired"),
        Text::new(
            "Ce QR code a expiré. Affichez-en un nouveau sur la page de connexion.",
            "This QR code has expired. Show a new one on the sign-in page.",
        ),
    )
}
