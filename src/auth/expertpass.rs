//! Expertpass: signing in by scanning a QR code with the ComptExpert mobile app.
//!
//! The browser asks for a challenge and shows its QR code; the app, holding an Ed25519 key
//! enrolled on the account, reads the challenge id and nonce from it and signs its decision over
//! the [canonical message](approval_message); the browser polls until the decision arrives and
//! collects the session's tokens, once.

use chrono::Duration;
use ed25519_dalek::{Signature, VerifyingKey};
use qrcode::{render::svg, EcLevel, QrCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::encoding;

/// First line of every message an app signs: names the protocol and its version, so that a
/// signature made for anything else can never pass for an approval.
pub const MESSAGE_PREFIX: &str = "comptexpert-expertpass-v1";

/// How long a challenge waits for the app's decision.
pub const CHALLENGE_LIFETIME: Duration = Duration::seconds(120);

/// How long the browser has to collect the tokens once the app approved.
pub const COLLECT_WINDOW: Duration = Duration::seconds(60);

/// Seconds the browser should wait between two polls.
pub const POLL_INTERVAL_SECS: i64 = 2;

/// How far the signed timestamp may be from the server's clock, either way.
pub const CLOCK_SKEW_SECS: i64 = 120;

/// The scheme and path of the QR payload that the app registers for.
pub const QR_URI_PREFIX: &str = "comptexpert://login";

/// What the app's owner decided: `approve` (sign the browser in) or `deny` (refuse). The same word
/// is the 4th line of the signed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// "Oui, c'est moi": sign the browser in.
    Approve,
    /// "Non, ce n'est pas moi": refuse the sign-in.
    Deny,
}

impl Decision {
    /// The word that goes into the signed message.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        }
    }
}

/// The exact UTF-8 text the app signs: five lines joined by `\n` (no trailing newline):
/// the prefix, the challenge id, the nonce (both as read from the QR code), the decision word
/// and the Unix time in seconds (decimal, no leading zeros or sign).
pub fn approval_message(
    challenge_id: &str,
    nonce: &str,
    decision: Decision,
    timestamp: i64,
) -> String {
    format!(
        "{MESSAGE_PREFIX}\n{challenge_id}\n{nonce}\n{}\n{timestamp}",
        decision.as_str()
    )
}

/// The text encoded in the QR code: `comptexpert://login?c={challenge_id}&n={nonce}`. Both values
/// are URL-safe already (a UUID and base64url), so nothing is percent-encoded.
pub fn qr_payload(challenge_id: &str, nonce: &str) -> String {
    format!("{QR_URI_PREFIX}?c={challenge_id}&n={nonce}")
}

/// The QR code of `payload` as a standalone SVG document (medium error correction).
pub fn qr_svg(payload: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// An enrolled device's public key from its text form: 32 bytes of base64 (url-safe or not), a
/// valid curve point, and not one of the small-order keys that would verify forged signatures.
pub fn parse_public_key(encoded: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = encoding::decode_base64(encoded)?.try_into().ok()?;
    let key = VerifyingKey::from_bytes(&bytes).ok()?;
    (!key.is_weak()).then_some(key)
}

/// A signature's 64 bytes from base64, if that is what was sent.
pub fn parse_signature(encoded: &str) -> Option<Signature> {
    let bytes: [u8; 64] = encoding::decode_base64(encoded)?.try_into().ok()?;
    Some(Signature::from_bytes(&bytes))
}

/// True when `signature` is the key's signature of `message` (strict verification: no
/// malleable or small-order forms).
pub fn verify(key: &VerifyingKey, message: &str, signature: &Signature) -> bool {
    key.verify_strict(message.as_bytes(), signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    #[test]
    fn the_message_is_five_lines_without_a_trailing_newline() {
        assert_eq!(
            approval_message("0193-abc", "n0nce", Decision::Approve, 1_764_250_000),
            "comptexpert-expertpass-v1\n0193-abc\nn0nce\napprove\n1764250000"
        );
    }

    /// The worked example of the README, for mobile teams to check their implementation against
    /// (computed independently, with Python's `cryptography`).
    #[test]
    fn the_readme_test_vector_holds() {
        let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
        let key = SigningKey::from_bytes(&seed);
        assert_eq!(
            encoding::encode_base64url(key.verifying_key().as_bytes()),
            "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
        );
        let message = approval_message(
            "0193a0a4-7c1e-7b7e-9d5e-3f1c2b4a5d6e",
            "q8Vd2Yv0m4f6cGk1hRrT9pXw3zLbNnA7sJ5eUoKiQyE",
            Decision::Approve,
            1_764_250_000,
        );
        let signature = "WTAhFk4Un5EvxzxHMeUt96c7XbenhIc43CB_fXVHMJegcABJCnbC8CJe1-Xs4pLeW73u2qkUXmPq6XLvzHlBAg";
        assert_eq!(
            encoding::encode_base64url(&key.sign(message.as_bytes()).to_bytes()),
            signature
        );
        let public = parse_public_key("A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg").expect("key");
        let parsed = parse_signature(signature).expect("signature");
        assert!(verify(&public, &message, &parsed));
    }

    #[test]
    fn a_signature_verifies_for_its_message_only() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = encoding::encode_base64url(key.verifying_key().as_bytes());
        let parsed = parse_public_key(&public).expect("valid key");
        let message = approval_message("c", "n", Decision::Deny, 1);
        let signature = key.sign(message.as_bytes());
        assert!(verify(&parsed, &message, &signature));
        let other = approval_message("c", "n", Decision::Approve, 1);
        assert!(!verify(&parsed, &other, &signature));
    }

    #[test]
    fn malformed_keys_and_signatures_are_refused() {
        assert!(parse_public_key("not a key").is_none());
        assert!(parse_public_key(&encoding::encode_base64url(&[1u8; 31])).is_none());
        // The identity point: a small-order key that anything verifies against.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(parse_public_key(&encoding::encode_base64url(&identity)).is_none());
        assert!(parse_signature(&encoding::encode_base64url(&[0u8; 63])).is_none());
    }

    #[test]
    fn the_qr_code_is_an_svg_document() {
        let svg = qr_svg(&qr_payload("0193-abc", "n0nce")).expect("encodes");
        assert!(svg.contains("<svg"));
    }
}
