//! The Ed25519 keys that sign access tokens, and their public half published as a JWKS.
//!
//! The key file holds one or more PKCS#8 PEM private keys. The first signs; every key verifies,
//! so a rotation is "prepend a new key, remove the old one once its last tokens have expired".

use std::{collections::HashMap, io::Write, path::Path};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{
    pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, EncodePrivateKey},
    SigningKey,
};
use jsonwebtoken::DecodingKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// A public key in JWK form (RFC 8037 for Ed25519).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwk {
    /// Key type: `OKP`.
    #[schema(example = "OKP")]
    pub kty: &'static str,
    /// Curve: `Ed25519`.
    #[schema(example = "Ed25519")]
    pub crv: &'static str,
    /// The public key, base64url without padding.
    pub x: String,
    /// Key id, matching the `kid` header of the tokens it verifies.
    pub kid: String,
    /// Algorithm: `EdDSA`.
    #[schema(example = "EdDSA")]
    pub alg: &'static str,
    /// Use: `sig`.
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub key_use: &'static str,
}

/// The published key set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwks {
    /// Every key that may have signed a live token.
    pub keys: Vec<Jwk>,
}

/// The loaded keys.
pub struct SigningKeys {
    active_kid: String,
    /// Kept parsed: building a signer from the PKCS#8 bytes for each token (what
    /// `jsonwebtoken::encode` does) derives the public key again, a scalar multiplication that
    /// was a quarter of the CPU time of a refresh.
    active: SigningKey,
    /// The JWS header of every token signed with `active`, already base64url-encoded.
    active_header: String,
    verifiers: HashMap<String, DecodingKey>,
    jwks: Jwks,
}

impl SigningKeys {
    /// Reads the key file, creating it with a fresh key (mode 0600) when it does not exist.
    pub fn load_or_generate(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            let pem = generate_pem()?;
            write_private(path, &pem)?;
            tracing::info!(file = %path.display(), "generated a new token signing key");
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_pem(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses one or more PKCS#8 PEM Ed25519 private keys; the first is the active one.
    pub fn from_pem(text: &str) -> Result<Self, String> {
        let mut blocks = Vec::new();
        let mut current = String::new();
        for line in text.lines() {
            if line.starts_with("-----BEGIN") {
                current.clear();
            }
            current.push_str(line);
            current.push('\n');
            if line.starts_with("-----END") {
                blocks.push(std::mem::take(&mut current));
            }
        }
        let mut keys = Vec::new();
        for block in &blocks {
            let key = SigningKey::from_pkcs8_pem(block)
                .map_err(|e| format!("invalid Ed25519 key: {e}"))?;
            keys.push(key);
        }
        let first = keys.first().ok_or("no key in the key file")?;
        let active_kid = key_id(&first.verifying_key().to_bytes());
        let header = serde_json::json!({"typ": "JWT", "alg": "EdDSA", "kid": active_kid});
        let active_header = URL_SAFE_NO_PAD.encode(header.to_string());
        let mut verifiers = HashMap::new();
        let mut jwk_list = Vec::new();
        for key in &keys {
            let public = key.verifying_key().to_bytes();
            let x = URL_SAFE_NO_PAD.encode(public);
            let kid = key_id(&public);
            let decoding = DecodingKey::from_ed_components(&x).map_err(|e| e.to_string())?;
            verifiers.insert(kid.clone(), decoding);
            jwk_list.push(Jwk {
                kty: "OKP",
                crv: "Ed25519",
                x,
                kid,
                alg: "EdDSA",
                key_use: "sig",
            });
        }
        Ok(Self {
            active: first.clone(),
            active_kid,
            active_header,
            verifiers,
            jwks: Jwks { keys: jwk_list },
        })
    }

    /// The key id of the signing key.
    pub fn active_kid(&self) -> &str {
        &self.active_kid
    }

    /// A JWS in compact form (RFC 7515) of `payload`, signed with the active key (EdDSA, its `kid`
    /// in the header).
    pub fn sign_compact(&self, payload: &[u8]) -> String {
        use ed25519_dalek::Signer;
        let mut token =
            String::with_capacity(self.active_header.len() + payload.len() * 4 / 3 + 100);
        token.push_str(&self.active_header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let signature = self.active.sign(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.to_bytes(), &mut token);
        token
    }

    /// The verifying key for a `kid`, if we know it.
    pub fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifiers.get(kid)
    }

    /// The public key set.
    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }
}

/// A stable id derived from the public key: the first 16 hex digits of its SHA-256.
fn key_id(public: &[u8]) -> String {
    hex::encode(&Sha256::digest(public)[..8])
}

/// A new Ed25519 private key as PKCS#8 PEM.
pub fn generate_pem() -> Result<String, String> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    Ok(key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string())
}

/// Writes a secret file readable by its owner only.
pub fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_the_file_verifies_and_the_first_signs() {
        let (a, b) = (generate_pem().expect("key"), generate_pem().expect("key"));
        let keys = SigningKeys::from_pem(&format!("{a}{b}")).expect("two keys");
        assert_eq!(keys.jwks().keys.len(), 2);
        assert_eq!(keys.jwks().keys[0].kid, keys.active_kid());
        for jwk in &keys.jwks().keys {
            assert!(keys.decoding_key(&jwk.kid).is_some());
        }
    }

    #[test]
    fn a_signed_token_is_a_standard_eddsa_jws_with_the_active_kid() {
        let keys = SigningKeys::from_pem(&generate_pem().expect("key")).expect("key");
        let token = super::super::access::issue(&keys, "iss", "aud", "acc-1", "ses-1", "pwd")
            .expect("token");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(keys.active_kid()));
        let claims = super::super::access::verify(&keys, "iss", "aud", &token).expect("verifies");
        assert_eq!(
            (claims.sub.as_str(), claims.sid.as_str()),
            ("acc-1", "ses-1")
        );
        // One altered character of the payload and the signature no longer holds.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let altered = if parts[1].ends_with('A') { 'B' } else { 'A' };
        parts[1].pop();
        parts[1].push(altered);
        assert_eq!(
            super::super::access::verify(&keys, "iss", "aud", &parts.join(".")).err(),
            Some(super::super::access::Refusal::Invalid)
        );
    }

    #[test]
    fn a_file_without_keys_is_refused() {
        assert!(SigningKeys::from_pem("nothing here").is_err());
    }
}
