//! Proof Key for Code Exchange (RFC 7636), `S256` only: `plain` would hand the verifier to
//! whoever sees the authorization request, which is what PKCE protects against.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

/// Whether `verifier` is well formed (§4.1): 43 to 128 characters among the unreserved ones.
pub fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `challenge` can be an `S256` challenge: the base64url (unpadded) of a SHA-256, 43
/// characters.
pub fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// The `S256` challenge of `verifier` (§4.2): `BASE64URL(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` answers `challenge` (§4.6), compared in constant time.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    if !is_verifier(verifier) || !is_s256_challenge(challenge) {
        return false;
    }
    s256(verifier)
        .bytes()
        .zip(challenge.bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifies() {
        // RFC 7636, Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(s256(verifier), challenge);
        assert!(verifies(verifier, challenge));
    }

    #[test]
    fn a_wrong_short_or_odd_verifier_does_not() {
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(!verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
            challenge
        ));
        assert!(!verifies("short", &s256("short")));
        let odd = format!("{}!", "a".repeat(43));
        assert!(!is_verifier(&odd));
        assert!(!verifies(&"a".repeat(129), &s256(&"a".repeat(129))));
        assert!(!is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="
        ));
        assert!(verifies(&"a".repeat(128), &s256(&"a".repeat(128))));
    }
}
