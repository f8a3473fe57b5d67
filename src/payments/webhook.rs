//! Signed notifications from the payment providers and the bank feed.
//!
//! Signature (header `ComptExpert-Signature`): `t=<unix seconds>,v1=<hex>` where the hex is
//! HMAC-SHA256, keyed with `PAYMENT_WEBHOOK_SECRET`, over `<t>.<raw body>`. Several `v1=` may be
//! given (while a secret is being rotated); one must match. A timestamp more than five minutes
//! away from the server's clock is refused, and an event id already processed is refused as a
//! replay, so a captured request cannot be played again.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "ComptExpert-Signature";

/// How far the signed timestamp may be from the server's clock, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a notification was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No signature, a malformed one, or one that does not match.
    #[error("invalid signature")]
    BadSignature,
    /// Signed too long ago (or in the future).
    #[error("signature timestamp outside the tolerance")]
    Expired,
    /// Signed correctly, but not an event we understand.
    #[error("invalid event: {0}")]
    InvalidEvent(String),
}

/// What a notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The provider's event id (replays are refused by it).
    pub id: String,
    pub kind: EventKind,
    /// The provider's reference of the payment (a transfer's: the reference quoted).
    pub payment_reference: String,
    /// The amount received, in cents.
    pub amount_cents: i64,
    /// Why it failed, for a failure.
    pub failure_reason: Option<String>,
}

/// The outcome a notification reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// `payment.succeeded`: the money is received.
    Succeeded,
    /// `payment.failed`: refused or abandoned.
    Failed,
}

impl EventKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "payment.succeeded",
            Self::Failed => "payment.failed",
        }
    }
}

/// The MAC of `<timestamp>.<body>`; `None` never happens in practice (HMAC takes keys of any
/// length), but no panic path is left for it.
fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The header value signing `body` at `timestamp` (what a sender computes).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("t={timestamp},v1={tag}")
}

/// Checks the signature header of a raw body, in constant time.
pub fn verify(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now_unix: i64,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::BadSignature)?;
    let mut timestamp: Option<i64> = None;
    let mut tags: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse().ok(),
            Some(("v1", value)) => {
                tags.push(hex::decode(value).map_err(|_| WebhookError::BadSignature)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::BadSignature)?;
    let matches = tags
        .iter()
        .any(|tag| mac(secret, timestamp, body).is_some_and(|m| m.verify_slice(tag).is_ok()));
    if !matches {
        return Err(WebhookError::BadSignature);
    }
    if (now_unix - timestamp).abs() > TOLERANCE_SECS {
        return Err(WebhookError::Expired);
    }
    Ok(())
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    payment_reference: String,
    amount_cents: i64,
    currency: String,
    failure_reason: Option<String>,
}

/// Reads an event body (see the README for the format).
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let raw: RawEvent =
        serde_json::from_slice(body).map_err(|e| WebhookError::InvalidEvent(e.to_string()))?;
    let kind = match raw.kind.as_str() {
        "payment.succeeded" => EventKind::Succeeded,
        "payment.failed" => EventKind::Failed,
        other => {
            return Err(WebhookError::InvalidEvent(format!(
                "unknown type {other:?}"
            )))
        }
    };
    if raw.currency != "EUR" {
        return Err(WebhookError::InvalidEvent("currency must be EUR".into()));
    }
    if raw.id.is_empty() || raw.id.len() > 255 || raw.amount_cents < 0 {
        return Err(WebhookError::InvalidEvent("invalid id or amount".into()));
    }
    Ok(WebhookEvent {
        id: raw.id,
        kind,
        payment_reference: raw.payment_reference,
        amount_cents: raw.amount_cents,
        failure_reason: raw.failure_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment.succeeded","payment_reference":"ref","amount_cents":100,"currency":"EUR"}"#;

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let header = sign(SECRET, 1_000, BODY);
        assert_eq!(verify(SECRET, Some(&header), BODY, 1_010), Ok(()));
        assert_eq!(parse_event(BODY).map(|e| e.kind), Ok(EventKind::Succeeded));
    }

    #[test]
    fn another_secret_a_changed_body_or_no_header_is_refused() {
        let header = sign(b"other", 1_000, BODY);
        assert_eq!(
            verify(SECRET, Some(&header), BODY, 1_000),
            Err(WebhookError::BadSignature)
        );
        let header = sign(SECRET, 1_000, BODY);
        assert_eq!(
            verify(SECRET, Some(&header), b"{}", 1_000),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(SECRET, None, BODY, 1_000),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(SECRET, Some("t=1000,v1=zz"), BODY, 1_000),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn an_old_signature_is_refused_even_when_valid() {
        let header = sign(SECRET, 1_000, BODY);
        assert_eq!(
            verify(SECRET, Some(&header), BODY, 1_000 + TOLERANCE_SECS + 1),
            Err(WebhookError::Expired)
        );
    }

    #[test]
    fn one_matching_tag_among_several_is_enough_during_a_rotation() {
        let good = sign(SECRET, 1_000, BODY);
        let old = sign(b"old", 1_000, BODY);
        let tag = good.split("v1=").nth(1).unwrap_or_default();
        let header = format!("{old},v1={tag}");
        assert_eq!(verify(SECRET, Some(&header), BODY, 1_000), Ok(()));
    }
}
