//! The tokens the provider signs for relying parties: ID tokens (OpenID Connect Core §2), their
//! access tokens for `/oauth2/userinfo`, and back-channel logout tokens (Back-Channel Logout
//! 1.0 §2.4). ID and logout tokens are signed with the algorithm the client registered for
//! (RS256 by default, or EdDSA with the access-token key); access tokens always EdDSA.

use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use super::keys::IdTokenKeys;
use crate::auth::keys::KeyRing;

/// The `amr` values (RFC 8176) of the sign-in methods, as stored on sessions: `pwd` (password),
/// `qr` (Expertpass, the enrolled app's approval: possession of the phone), `x509` (Signexpert).
pub const AMR_VALUES: [&str; 3] = ["pwd", "qr", "x509"];

/// The `acr` of a sign-in: level 1 for a password, level 2 for a possession factor (Expertpass's
/// enrolled phone, Signexpert's certificate). Published in the discovery document.
pub fn acr_of(amr: &str) -> &'static str {
    match amr {
        "qr" | "x509" => ACR_VALUES[1],
        _ => ACR_VALUES[0],
    }
}

/// Every `acr` value this provider asserts.
pub const ACR_VALUES: [&str; 2] = ["urn:comptexpert:acr:1", "urn:comptexpert:acr:2"];

/// The event a logout token carries (Back-Channel Logout 1.0 §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Seconds a logout token is accepted for: it is signed at each delivery attempt.
pub const LOGOUT_TOKEN_SECONDS: i64 = 120;

/// The claims of an ID token; the user's claims (by scope) are flattened in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    /// The account's id: stable and opaque, never the identifier or the email.
    pub sub: String,
    pub aud: String,
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    /// When the user signed in (the SSO session's start).
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub amr: Vec<String>,
    pub acr: String,
    /// The SSO session, as back-channel logout tokens name it.
    pub sid: String,
    #[serde(flatten)]
    pub user: serde_json::Map<String, serde_json::Value>,
}

/// The claims of a relying party's access token. `sid` is the grant's id (never a session of
/// the API's own: these tokens open no `/v1` endpoint, whose check of `sid` finds no session).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub scope: String,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// The claims of a logout token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogoutClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub sid: String,
    pub events: serde_json::Value,
}

/// Signs `claims` for a client registered for `alg` (`RS256` or `EdDSA`).
pub fn sign_for(
    alg: &str,
    rsa: &IdTokenKeys,
    keys: &KeyRing,
    claims: &impl Serialize,
) -> Result<String, String> {
    match alg {
        "EdDSA" => {
            let payload = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
            Ok(keys.current().sign_compact(&payload))
        }
        _ => rsa.sign(claims),
    }
}

/// Signs a relying party's access token (EdDSA, the access-token key).
pub fn sign_access(keys: &KeyRing, claims: &AccessClaims) -> Result<String, String> {
    let payload = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
    Ok(keys.current().sign_compact(&payload))
}

/// Verifies a relying party's access token: ours, unexpired, issued by `issuer`, and meant for
/// the client it names. `None` for anything else.
pub fn verify_access(keys: &KeyRing, issuer: &str, token: &str) -> Option<AccessClaims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != Algorithm::EdDSA {
        return None;
    }
    let kid = header.kid?;
    let ring = keys.knowing(&kid)?;
    let key = ring.decoding_key(&kid)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    validation.leeway = 5;
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    let claims = jsonwebtoken::decode::<AccessClaims>(token, key, &validation)
        .ok()?
        .claims;
    (claims.aud == claims.client_id).then_some(claims)
}

/// Reads an ID token this provider signed (`id_token_hint` of a logout): its signature and
/// issuer are checked, its expiry is not (OpenID Connect RP-Initiated Logout 1.0 §2: an expired
/// ID token is still a valid hint).
pub fn read_id_token_hint(
    rsa: &IdTokenKeys,
    keys: &KeyRing,
    issuer: &str,
    token: &str,
) -> Option<IdTokenClaims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    let kid = header.kid?;
    let ring;
    let key = match header.alg {
        Algorithm::RS256 => rsa.decoding_key(&kid)?,
        Algorithm::EdDSA => {
            ring = keys.knowing(&kid)?;
            ring.decoding_key(&kid)?
        }
        _ => return None,
    };
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["iss", "aud", "sub"]);
    jsonwebtoken::decode::<IdTokenClaims>(token, key, &validation)
        .ok()
        .map(|data| data.claims)
}
