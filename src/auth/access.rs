//! Access tokens: EdDSA-signed JWTs, 15 minutes, with the claims of the contract
//! (`sub`, `sid`, `amr`, `iss`, `aud`, `iat`, `exp`, `jti`).

use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use super::keys::{KeyRing, SigningKeys};

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
    /// The account's staff roles when it has any (`support`, `administrator`,
    /// `council:{region}`), for the front end to show the staff's screens. The API does not
    /// trust them: it reads the roles from the database at each staff request, so a revoked
    /// role stops at once even in a token issued before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// Signs an access token for a session (with [`KeyRing::current`]'s keys, in the service).
pub fn issue(
    keys: &SigningKeys,
    issuer: &str,
    audience: &str,
    account_id: &str,
    session_id: &str,
    amr: &str,
    roles: Vec<String>,
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
        roles,
    };
    let payload = serde_json::to_vec(&claims).map_err(|e| e.to_string())?;
    Ok(keys.sign_compact(&payload))
}

/// Why an access token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Well signed, but past its `exp` (plus the leeway): the client should refresh.
    Expired,
    /// Anything else: not a JWT, another algorithm or key, altered, wrong issuer or audience.
    Invalid,
}

/// Seconds of clock difference tolerated on `exp`, `nbf` and `iat` (instances on several machines).
const CLOCK_LEEWAY_SECONDS: u64 = 5;

/// Verifies signature (EdDSA only: `alg: none` and algorithm confusion are refused), key id,
/// issuer, audience, expiry, and that the token is not dated in the future (`iat`, `nbf`). Only an expired but otherwise valid token is told apart, so that
/// a client knows a refresh will help; every other failure is [`Refusal::Invalid`].
/// A `kid` the ring does not know makes it look at the key file first (see [`KeyRing::knowing`]).
pub fn verify(
    keys: &KeyRing,
    issuer: &str,
    audience: &str,
    token: &str,
) -> Result<Claims, Refusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Invalid)?;
    if header.alg != Algorithm::EdDSA {
        return Err(Refusal::Invalid);
    }
    let kid = header.kid.as_deref().ok_or(Refusal::Invalid)?;
    // Held for the decoding below: a reload may replace the ring's keys meanwhile.
    let keys = keys.knowing(kid).ok_or(Refusal::Invalid)?;
    let key = keys.decoding_key(kid).ok_or(Refusal::Invalid)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.leeway = CLOCK_LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|error| match error.kind() {
            // The signature is checked before the claims: an expired token was ours.
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => Refusal::Expired,
            _ => Refusal::Invalid,
        })?;
    // We never issue a token dated in the future: one that is was not made by this service's
    // clock (a key used elsewhere, or a forged lifetime), whatever its `exp` says.
    if claims.iat > chrono::Utc::now().timestamp() + CLOCK_LEEWAY_SECONDS as i64 {
        return Err(Refusal::Invalid);
    }
    Ok(claims)
}
