//! The Ed25519 keys that sign access tokens, and their public half published as a JWKS.
//!
//! The key file holds one or more PKCS#8 PEM private keys, each optionally preceded by a
//! `# retire-after: <RFC 3339 instant>` line and a `# sign-after: <instant>` line (see
//! [`rotate_file`]). The first key without a retire-after mark whose sign-after mark has passed
//! signs; keys waiting for their sign-after are published and verify; retired keys verify until
//! their instant, then count for nothing. [`rotate_file`] prepends a new key that signs once
//! every verifier can know it, and marks the previous one; a [`KeyRing`] lets running instances
//! see the change without a restart.

mod file;
mod ring;

use std::{collections::HashMap, path::Path};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use ed25519_dalek::{
    pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey},
    SigningKey,
};
use jsonwebtoken::DecodingKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

pub use file::{
    describe_file, rotate_file, rotate_file_publishing, write_private, KeyState, KeyStatus,
    Rotation, PUBLICATION_SECONDS, RETIREMENT_MARGIN_SECONDS,
};
pub use ring::{KeyRing, CHECK_EVERY, UNKNOWN_KID_CHECK_EVERY};

/// A public key in JWK form (RFC 8037 for Ed25519).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwk {
    /// Key type: `OKP` (Ed25519: access tokens, and ID tokens of clients registered for EdDSA)
    /// or `RSA` (ID tokens, RS256).
    #[schema(example = "OKP")]
    pub kty: &'static str,
    /// Curve of an `OKP` key: `Ed25519`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Ed25519")]
    pub crv: Option<&'static str>,
    /// The public key of an `OKP` key, base64url without padding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Modulus of an `RSA` key, base64url without padding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// Public exponent of an `RSA` key, base64url without padding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Key id, matching the `kid` header of the tokens it verifies.
    pub kid: String,
    /// Algorithm: `EdDSA` or `RS256`.
    #[schema(example = "EdDSA")]
    pub alg: &'static str,
    /// Use: `sig`.
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub key_use: &'static str,
}

impl Jwk {
    /// An Ed25519 public key.
    pub fn ed25519(kid: String, x: String) -> Self {
        Self {
            kty: "OKP",
            crv: Some("Ed25519"),
            x: Some(x),
            n: None,
            e: None,
            kid,
            alg: "EdDSA",
            key_use: "sig",
        }
    }

    /// An RSA public key for RS256.
    pub fn rsa(kid: String, n: String, e: String) -> Self {
        Self {
            kty: "RSA",
            crv: None,
            x: None,
            n: Some(n),
            e: Some(e),
            kid,
            alg: "RS256",
            key_use: "sig",
        }
    }
}

/// The published key set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwks {
    /// Every key that may have signed a live token.
    pub keys: Vec<Jwk>,
}

/// The keys of the file as they stand at one instant: the signer, and every key that verifies.
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
    /// The earliest retire-after mark still ahead: past it, this set accepts a key the file no
    /// longer allows, and a [`KeyRing`] builds it again.
    next_retirement: Option<DateTime<Utc>>,
}

impl SigningKeys {
    /// Reads the key file, creating it with a fresh key (mode 0600) when it does not exist.
    pub fn load_or_generate(path: &Path) -> Result<Self, String> {
        file::generate_if_missing(path)?;
        let text = file::read(path)?;
        Self::from_pem(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The keys of a key file's text, as they stand now (see [`SigningKeys::from_pem_at`]).
    pub fn from_pem(text: &str) -> Result<Self, String> {
        Self::from_pem_at(text, Utc::now())
    }

    /// The keys of a key file's text at `now`: the first key without a retire-after mark signs;
    /// it, keys marked with an instant after `now` and unmarked keys (files written before the
    /// marks existed) verify and are published; keys whose mark has passed are left out.
    pub fn from_pem_at(text: &str, now: DateTime<Utc>) -> Result<Self, String> {
        let parsed = file::KeyFile::parse(text)?;
        let signer = parsed
            .signer(now)
            .map(|index| &parsed.entries[index])
            .ok_or("no signing key: every key of the file has a retire-after mark")?;
        let active_kid = signer.kid.clone();
        let header = serde_json::json!({"typ": "JWT", "alg": "EdDSA", "kid": active_kid});
        let active_header = URL_SAFE_NO_PAD.encode(header.to_string());
        let mut verifiers = HashMap::new();
        let mut jwk_list = Vec::new();
        // The signer first: consumers that take the first key of the set take the live one.
        let live = std::iter::once(signer).chain(parsed.entries.iter().filter(|entry| {
            entry.kid != signer.kid && entry.retire_after.is_none_or(|until| until > now)
        }));
        for entry in live {
            if verifiers.contains_key(&entry.kid) {
                continue;
            }
            let x = URL_SAFE_NO_PAD.encode(entry.key.verifying_key().to_bytes());
            let decoding = DecodingKey::from_ed_components(&x).map_err(|e| e.to_string())?;
            verifiers.insert(entry.kid.clone(), decoding);
            jwk_list.push(Jwk::ed25519(entry.kid.clone(), x));
        }
        // The next instant a mark changes what these keys do: one retires, or one starts signing.
        let next_retirement = parsed
            .entries
            .iter()
            .flat_map(|entry| [entry.retire_after, entry.sign_after])
            .flatten()
            .filter(|at| *at > now)
            .min();
        Ok(Self {
            active: signer.key.clone(),
            active_kid,
            active_header,
            verifiers,
            jwks: Jwks { keys: jwk_list },
            next_retirement,
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

    /// Whether a retire-after mark has passed since these keys were built, at `now`.
    fn outlived_at(&self, now: DateTime<Utc>) -> bool {
        self.next_retirement.is_some_and(|until| until <= now)
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
        let ring =
            KeyRing::from(SigningKeys::from_pem(&generate_pem().expect("key")).expect("key"));
        let keys = ring.current();
        let token =
            super::super::access::issue(&keys, "iss", "aud", "acc-1", "ses-1", "pwd", Vec::new())
                .expect("token");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(keys.active_kid()));
        let claims = super::super::access::verify(&ring, "iss", "aud", &token).expect("verifies");
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
            super::super::access::verify(&ring, "iss", "aud", &parts.join(".")).err(),
            Some(super::super::access::Refusal::Invalid)
        );
    }

    #[test]
    fn a_file_without_keys_is_refused() {
        assert!(SigningKeys::from_pem("nothing here").is_err());
    }

    fn kid_of(pem: &str) -> String {
        SigningKeys::from_pem(pem)
            .expect("key")
            .active_kid()
            .to_owned()
    }

    fn published(keys: &SigningKeys) -> Vec<&str> {
        keys.jwks()
            .keys
            .iter()
            .map(|jwk| jwk.kid.as_str())
            .collect()
    }

    #[test]
    fn the_first_key_without_a_mark_signs_and_marked_keys_verify_until_their_mark() {
        let (a, b, c) = (
            generate_pem().expect("key"),
            generate_pem().expect("key"),
            generate_pem().expect("key"),
        );
        let text = format!(
            "# retire-after: 2030-01-01T00:00:00Z\n{a}# a note\n{b}\
             # retire-after: 2030-01-01T01:00:00+01:00\n{c}"
        );
        let now = "2029-12-31T23:00:00Z".parse().expect("instant");
        let keys = SigningKeys::from_pem_at(&text, now).expect("keys");
        assert_eq!(keys.active_kid(), kid_of(&b));
        assert_eq!(published(&keys), [kid_of(&b), kid_of(&a), kid_of(&c)]);
        for kid in published(&keys) {
            assert!(keys.decoding_key(kid).is_some());
        }
    }

    #[test]
    fn a_key_whose_mark_has_passed_neither_verifies_nor_is_published() {
        let (a, b) = (generate_pem().expect("key"), generate_pem().expect("key"));
        let text = format!("{a}# retire-after: 2030-01-01T00:00:00Z\n{b}");
        let before = SigningKeys::from_pem_at(&text, "2029-12-31T23:59:59Z".parse().expect("t"))
            .expect("keys");
        assert!(before.decoding_key(&kid_of(&b)).is_some());

        let after = SigningKeys::from_pem_at(&text, "2030-01-01T00:00:00Z".parse().expect("t"))
            .expect("keys");
        assert_eq!(after.active_kid(), kid_of(&a));
        assert!(after.decoding_key(&kid_of(&b)).is_none());
        assert_eq!(published(&after), [kid_of(&a)]);
    }

    #[test]
    fn a_file_whose_every_key_is_marked_has_no_signer() {
        let text = format!(
            "# retire-after: 2099-01-01T00:00:00Z\n{}",
            generate_pem().expect("key")
        );
        let error = SigningKeys::from_pem(&text).err().expect("refused");
        assert!(error.contains("no signing key"), "{error}");
    }

    #[test]
    fn a_mark_that_does_not_parse_or_a_block_without_end_is_refused() {
        let pem = generate_pem().expect("key");
        assert!(SigningKeys::from_pem(&format!("# retire-after: next week\n{pem}")).is_err());
        assert!(
            SigningKeys::from_pem(&format!("{pem}# retire-after: 2099-01-01T00:00:00Z\n")).is_err()
        );
        assert!(SigningKeys::from_pem(&pem[..pem.len() - 30]).is_err());
    }
}
