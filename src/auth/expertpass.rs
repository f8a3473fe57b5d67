//! Expertpass: signing in by scanning a QR code with the ComptExpert mobile app.
//!
//! The browser asks for a challenge and shows its QR code and a two-digit number; the app,
//! holding an Ed25519 key enrolled on the account, reads the challenge id and nonce from the QR
//! code, fetches what it shows its owner before asking (the [context](context_message): which
//! browser, from roughly where, and three numbers to choose from), and signs its decision with the
//! chosen number over the [canonical message](approval_message). The browser polls until the
//! decision arrives and collects the session's tokens, once.

use std::net::IpAddr;

use chrono::Duration;
use ed25519_dalek::{Signature, VerifyingKey};
use qrcode::{render::svg, EcLevel, QrCode};
use rand::{rngs::OsRng, seq::SliceRandom, Rng};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::encoding;

/// First line of every message an app signs: names the protocol and its version, so that a
/// signature made for anything else can never pass for an approval. Version 2 carries the
/// number the owner chose.
pub const MESSAGE_PREFIX: &str = "comptexpert-expertpass-v2";

/// First line of the messages of version 1, which had no number: only recognised, to tell an
/// outdated app why its decision is refused.
pub const OUTDATED_MESSAGE_PREFIX: &str = "comptexpert-expertpass-v1";

/// The word on the 4th line of the context request, where an approval has its decision: no
/// decision is ever spelt so, so a context signature cannot pass for a decision.
pub const CONTEXT_WORD: &str = "context";

/// Stands for "no number chosen" on the 5th line of a decision (a denial need not choose).
pub const NO_NUMBER: &str = "-";

/// The site that asks for the sign-in, as the app names it to its owner.
pub const SITE_NAME: &str = "ComptExpert — portail des cotisations";

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

/// The numbers a browser may show: two digits, 10 to 99.
pub const NUMBER_RANGE: std::ops::RangeInclusive<i32> = 10..=99;

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

/// The exact UTF-8 text the app signs for a decision: six lines joined by `\n` (no trailing
/// newline): the prefix, the challenge id, the nonce (both as read from the QR code), the decision
/// word, the chosen number (two digits, or `-` when none was chosen) and the Unix time in seconds
/// (decimal, no leading zeros or sign).
pub fn approval_message(
    challenge_id: &str,
    nonce: &str,
    decision: Decision,
    number: Option<i32>,
    timestamp: i64,
) -> String {
    let number = number.map_or_else(|| NO_NUMBER.to_owned(), |n| n.to_string());
    format!(
        "{MESSAGE_PREFIX}\n{challenge_id}\n{nonce}\n{}\n{number}\n{timestamp}",
        decision.as_str()
    )
}

/// The message of version 1 (five lines, no number), to recognise an outdated app.
pub fn outdated_approval_message(
    challenge_id: &str,
    nonce: &str,
    decision: Decision,
    timestamp: i64,
) -> String {
    format!(
        "{OUTDATED_MESSAGE_PREFIX}\n{challenge_id}\n{nonce}\n{}\n{timestamp}",
        decision.as_str()
    )
}

/// The exact UTF-8 text the app signs to read a challenge's context: five lines joined by `\n`
/// (no trailing newline): the prefix, the challenge id, the nonce, the word `context` and the
/// Unix time in seconds.
pub fn context_message(challenge_id: &str, nonce: &str, timestamp: i64) -> String {
    format!("{MESSAGE_PREFIX}\n{challenge_id}\n{nonce}\n{CONTEXT_WORD}\n{timestamp}")
}

/// The number a new challenge's browser shows, and the three the app offers (the number and two
/// others, all distinct, in random order), from the operating system's CSPRNG.
pub fn draw_number() -> (i32, [i32; 3]) {
    let number = OsRng.gen_range(NUMBER_RANGE);
    let mut others: Vec<i32> = NUMBER_RANGE.filter(|n| *n != number).collect();
    others.shuffle(&mut OsRng);
    let mut choices = [number, others[0], others[1]];
    choices.shuffle(&mut OsRng);
    (number, choices)
}

/// A client's address made approximate before it is stored or shown: its IPv4 /24 or IPv6 /48
/// network (`203.0.113.0/24`, `2001:db8:1234::/48`), enough to tell a town or a provider, never
/// the machine. `None` when `address` is not an IP address.
pub fn approximate_address(address: &str) -> Option<String> {
    let ip: IpAddr = address.parse().ok()?;
    Some(match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let network = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
            format!("{network}/48")
        }
    })
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

    const CHALLENGE: &str = "0193a0a4-7c1e-7b7e-9d5e-3f1c2b4a5d6e";
    const NONCE: &str = "q8Vd2Yv0m4f6cGk1hRrT9pXw3zLbNnA7sJ5eUoKiQyE";

    #[test]
    fn the_messages_are_lines_without_a_trailing_newline() {
        assert_eq!(
            approval_message(
                "0193-abc",
                "n0nce",
                Decision::Approve,
                Some(42),
                1_764_250_000
            ),
            "comptexpert-expertpass-v2\n0193-abc\nn0nce\napprove\n42\n1764250000"
        );
        assert_eq!(
            approval_message("0193-abc", "n0nce", Decision::Deny, None, 1_764_250_000),
            "comptexpert-expertpass-v2\n0193-abc\nn0nce\ndeny\n-\n1764250000"
        );
        assert_eq!(
            context_message("0193-abc", "n0nce", 1_764_250_000),
            "comptexpert-expertpass-v2\n0193-abc\nn0nce\ncontext\n1764250000"
        );
    }

    /// The worked examples of the README, for mobile teams to check their implementation
    /// against (computed independently, with Python's `cryptography`).
    #[test]
    fn the_readme_test_vectors_hold() {
        let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
        let key = SigningKey::from_bytes(&seed);
        assert_eq!(
            encoding::encode_base64url(key.verifying_key().as_bytes()),
            "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
        );
        let public = parse_public_key("A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg").expect("key");
        for (message, signature) in [
            (
                context_message(CHALLENGE, NONCE, 1_764_250_000),
                "x93gyZ7W45VUpdyfvtWyeQgBYEwhkZl2iZJggQKglv2nwumMIX6L5wWAqXVk6z7sQqHa8TDNEK25t1Icr1ouAA",
            ),
            (
                approval_message(CHALLENGE, NONCE, Decision::Approve, Some(42), 1_764_250_010),
                "j9WdqJ5vhIOvvhOr0QIuPQkkZbSNCk-hYN-gU0CRfXW_20nUz7BbBaim9JEO_RQIpGtwCWojUIvHQqRp2CsXCQ",
            ),
        ] {
            assert_eq!(
                encoding::encode_base64url(&key.sign(message.as_bytes()).to_bytes()),
                signature
            );
            let parsed = parse_signature(signature).expect("signature");
            assert!(verify(&public, &message, &parsed));
        }
    }

    #[test]
    fn a_signature_verifies_for_its_message_only() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = encoding::encode_base64url(key.verifying_key().as_bytes());
        let parsed = parse_public_key(&public).expect("valid key");
        let message = approval_message("c", "n", Decision::Approve, Some(42), 1);
        let signature = key.sign(message.as_bytes());
        assert!(verify(&parsed, &message, &signature));
        for other in [
            approval_message("c", "n", Decision::Approve, Some(43), 1),
            approval_message("c", "n", Decision::Deny, Some(42), 1),
            outdated_approval_message("c", "n", Decision::Approve, 1),
            context_message("c", "n", 1),
        ] {
            assert!(!verify(&parsed, &other, &signature), "{other}");
        }
    }

    #[test]
    fn numbers_have_two_digits_and_the_choices_hold_the_number_among_distinct_others() {
        for _ in 0..500 {
            let (number, choices) = draw_number();
            assert!(NUMBER_RANGE.contains(&number));
            assert!(choices.contains(&number));
            assert!(choices.iter().all(|n| NUMBER_RANGE.contains(n)));
            assert!(
                choices[0] != choices[1] && choices[1] != choices[2] && choices[0] != choices[2]
            );
        }
    }

    #[test]
    fn addresses_are_cut_to_their_network() {
        assert_eq!(
            approximate_address("203.0.113.77").as_deref(),
            Some("203.0.113.0/24")
        );
        assert_eq!(
            approximate_address("2001:db8:1234:5678:9abc::1").as_deref(),
            Some("2001:db8:1234::/48")
        );
        assert_eq!(
            approximate_address("::ffff:198.51.100.9").as_deref(),
            Some("198.51.100.0/24")
        );
        assert_eq!(approximate_address("unknown"), None);
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
