//! The RSA key that signs ID tokens RS256, the algorithm OpenID Connect Core makes mandatory to
//! implement and every client library accepts. It lives in its own file (`ID_TOKEN_KEY_FILE`),
//! not in the access-token key file, whose readers of earlier releases accept Ed25519 keys only.
//! The file holds one or more PKCS#8 PEM keys: the first signs, every one is published in the
//! JWKS, so that a new key can be put first while tokens signed by the old one still verify.

use std::path::Path;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use rsa::{
    pkcs1::EncodeRsaPrivateKey,
    pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding},
    traits::PublicKeyParts,
    RsaPrivateKey,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::keys::{write_private, Jwk};

/// 2048 bits: NIST's floor until 2030, and what verifiers everywhere accept.
const BITS: usize = 2048;

/// One RSA key: its id, its signing form, its published form.
struct RsaKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

/// The ID-token keys of the file, the first one signing.
pub struct IdTokenKeys {
    keys: Vec<RsaKey>,
}

impl IdTokenKeys {
    /// Reads `path`, creating it (owner-only) with a new key when it does not exist.
    pub fn load_or_generate(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            write_private(path, &generate_pem()?)?;
            tracing::info!(path = %path.display(), "ID token RSA key generated");
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_pem(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses every `PRIVATE KEY` block of `text`.
    pub fn from_pem(text: &str) -> Result<Self, String> {
        const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
        const END: &str = "-----END PRIVATE KEY-----";
        let mut keys = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(BEGIN) {
            let end = rest[start..]
                .find(END)
                .map(|at| start + at + END.len())
                .ok_or("a PRIVATE KEY block is not closed")?;
            let key = RsaPrivateKey::from_pkcs8_pem(&rest[start..end])
                .map_err(|e| format!("not a PKCS#8 RSA key: {e}"))?;
            keys.push(RsaKey::of(&key)?);
            rest = &rest[end..];
        }
        if keys.is_empty() {
            return Err("no RSA key (PKCS#8 PEM, BEGIN PRIVATE KEY) in the file".into());
        }
        Ok(Self { keys })
    }

    /// A compact JWS of `claims`, RS256 with the first key's `kid`.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, String> {
        let signer = &self.keys[0];
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(signer.kid.clone());
        jsonwebtoken::encode(&header, claims, &signer.encoding).map_err(|e| e.to_string())
    }

    /// The verifying key of `kid` (tests, and checks of our own tokens).
    pub fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.iter().find(|k| k.kid == kid).map(|k| &k.decoding)
    }

    /// The public keys, for the JWKS.
    pub fn jwks(&self) -> impl Iterator<Item = &Jwk> {
        self.keys.iter().map(|k| &k.jwk)
    }
}

impl RsaKey {
    fn of(key: &RsaPrivateKey) -> Result<Self, String> {
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        let kid = format!(
            "rsa-{}",
            hex::encode(&Sha256::digest(key.n().to_bytes_be())[..8])
        );
        let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
        Ok(Self {
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding: DecodingKey::from_rsa_components(&n, &e).map_err(|e| e.to_string())?,
            jwk: Jwk::rsa(kid.clone(), n, e),
            kid,
        })
    }
}

/// A new RSA key as PKCS#8 PEM.
pub fn generate_pem() -> Result<String, String> {
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, BITS).map_err(|e| e.to_string())?;
    Ok(key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_key_signs_and_every_key_is_published() {
        let (a, b) = (generate_pem().expect("key"), generate_pem().expect("key"));
        let keys = IdTokenKeys::from_pem(&format!("{a}\n{b}")).expect("two keys");
        let published: Vec<&Jwk> = keys.jwks().collect();
        assert_eq!(published.len(), 2);
        let token = keys
            .sign(&serde_json::json!({"sub": "x", "exp": 4_000_000_000u64}))
            .expect("signed");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.alg, Algorithm::RS256);
        let kid = header.kid.expect("kid");
        assert_eq!(kid, published[0].kid);
        let verified = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            keys.decoding_key(&kid).expect("known"),
            &jsonwebtoken::Validation::new(Algorithm::RS256),
        )
        .expect("verifies with the published key");
        assert_eq!(verified.claims["sub"], "x");
        assert!(IdTokenKeys::from_pem("nothing").is_err());
    }
}
