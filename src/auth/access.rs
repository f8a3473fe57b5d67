//! Access tokens: EdDSA-signed JWTs, 15 minutes, with the claims of the contract
//! (`sub`, `sid`, `amr`, `iss`, `aud`, `iat`, `exp`, `jti`).

use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use super::keys::SigningKeys;

/// Lifetime of an access token, in seconds.
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Account id.
    pub sub: String,
    /// Session id.
    pub sid: String,
    /// Authentication method: `pwd`, `qr` or `x509` (a one-element array, per RFC 8176).
    pub amr: Vec<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
}

/// Signs an access token for a session.
pub fn issue(
    keys: &SigningKeys,
    issuer: &str,
    audience: &str,
    account_id: &str,
    session_id: &str,
    amr: &str,
) -> Result<String, String> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: account_id.to_owned(),
        sid: session_id.to_owned(),
        amr: vec![amr.to_owned()],
        iss: issuer.to_owned(),
        aud: audience.to_owned(),
        iat: now,
        exp: now + ACCESS_TOKEN_SECONDS,
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let payload = serde_json::to_vec(&claims).map_err(|e| e.to_string())?;
    Ok(keys.sign_compact(&payload))
}

/// Verifies signature (EdDSA only: `alg: none` and algorithm confusion are refused), key id,
/// issuer, audience and expiry. Any failure is `None`: callers answer 401 without detail.
pub fn verify(keys: &SigningKeys, issuer: &str, audience: &str, token: &str) -> Option<Claims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != Algorithm::EdDSA {
        return None;
    }
    let key = keys.decoding_key(header.kid.as_deref()?)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.leeway = 5;
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    jsonwebtoken::decode::<Claims>(token, key, &validation)
        .ok()
        .map(|data| data.claims)
}
