//! Signexpert: signing in with an X.509 certificate (a smart card or a software certificate)
//! issued under the trust anchors of `SIGNEXPERT_CA_FILE`.
//!
//! The client asks for a challenge, signs the [canonical message](signed_message) with the
//! certificate's private key and sends the chain with the signature. The chain is validated with
//! rustls-webpki, the end-entity's key usage read with x509-parser, and the certificate mapped to
//! an account by its enrolled fingerprint or by the SUPRA number of its subject.

pub mod certificate;
pub mod proof;
pub mod trust_store;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use trust_store::TrustStore;

/// First line of the message a certificate signs: names the protocol and its version, so that
/// the signature cannot be reused for anything else.
pub const MESSAGE_PREFIX: &str = "comptexpert-signexpert-v1";

/// How long a challenge may be used.
pub const CHALLENGE_LIFETIME: Duration = Duration::seconds(120);

/// The exact UTF-8 text the certificate's key signs: three lines joined by `\n`, no trailing
/// newline: the prefix, the challenge id and the nonce.
pub fn signed_message(challenge_id: &str, nonce: &str) -> String {
    format!("{MESSAGE_PREFIX}\n{challenge_id}\n{nonce}")
}

/// How the signature was made, all with SHA-256: `rsa_pkcs1_sha256` (RSA PKCS#1 v1.5, keys of 2048
/// to 8192 bits), `rsa_pss_sha256` (RSA-PSS, MGF1-SHA-256, 32-byte salt), `ecdsa_p256_sha256`
/// (ECDSA on P-256, signature as DER or as raw `r‖s` of 64 bytes), `ed25519`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (RSA keys of 2048 to 8192 bits).
    RsaPkcs1Sha256,
    /// RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    RsaPssSha256,
    /// ECDSA on P-256 with SHA-256; the signature as DER (`SEQUENCE { r, s }`) or raw `r‖s` (64 bytes).
    EcdsaP256Sha256,
    /// Ed25519 (pure, the message itself is signed).
    Ed25519,
}

impl SignatureAlgorithm {
    /// Every algorithm, in the order they are tried when the client does not say.
    pub const ALL: [SignatureAlgorithm; 4] = [
        SignatureAlgorithm::EcdsaP256Sha256,
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::RsaPssSha256,
        SignatureAlgorithm::Ed25519,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_three_lines_without_a_trailing_newline() {
        assert_eq!(
            signed_message("0193-abc", "n0nce"),
            "comptexpert-signexpert-v1\n0193-abc\nn0nce"
        );
    }
}
