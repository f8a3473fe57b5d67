//! The extractor that makes a handler require sign-in: put [`Authenticated`] in its signature.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use super::access;
use crate::{
    context::ApiContext,
    db::{self, sessions::Session},
    error::{ApiError, ErrorCode},
};

/// The signed-in caller: a valid access token whose session is still live.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The account.
    pub account_id: String,
    /// The session the token belongs to.
    pub session_id: String,
    /// How the session was opened (`pwd`, `qr`, `x509`).
    pub amr: String,
}

/// Why a request was not let in, each with its own `code` so that a client knows what to do:
/// sign in (missing, invalid, revoked) or refresh its access token (expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRequired {
    /// No `Authorization: Bearer …` header.
    Missing,
    /// The token is not one of ours: malformed, altered, signed by another key, meant for another service.
    Invalid,
    /// The token was ours but its 15 minutes are over.
    Expired,
    /// The token's session was closed (sign-out, revocation, password change) or has expired.
    Revoked,
}

/// The codes of the answers above, in the order of [`SignInRequired`] (the OpenAPI document lists them).
pub const SIGN_IN_REQUIRED_CODES: [ErrorCode; 4] = [
    ErrorCode::TokenMissing,
    ErrorCode::TokenInvalid,
    ErrorCode::TokenExpired,
    ErrorCode::TokenRevoked,
];

impl SignInRequired {
    /// The stable code of this refusal.
    pub fn code(self) -> ErrorCode {
        SIGN_IN_REQUIRED_CODES[self as usize]
    }

    /// `error_description` of `WWW-Authenticate` (RFC 6750 § 3: ASCII, no quote or backslash).
    fn description(self) -> &'static str {
        match self {
            Self::Missing => "",
            Self::Invalid => "The access token is malformed or not signed by this service",
            Self::Expired => "The access token expired",
            Self::Revoked => "The session of the access token is closed",
        }
    }
}

/// 401 with `WWW-Authenticate: Bearer`: for a missing token only the realm (RFC 6750 § 3.1: no
/// error code when the request had no credentials), else `error="invalid_token"` and a description.
pub fn unauthorized(reason: SignInRequired) -> ApiError {
    let challenge = match reason {
        SignInRequired::Missing => r#"Bearer realm="comptexpert""#.to_owned(),
        _ => format!(
            r#"Bearer realm="comptexpert", error="invalid_token", error_description="{}""#,
            reason.description()
        ),
    };
    ApiError::of(reason.code()).with_header(header::WWW_AUTHENTICATE, challenge)
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned());
        let ctx = req.app_data::<web::Data<ApiContext>>().cloned();
        Box::pin(async move {
            let Some(ctx) = ctx else {
                return Err(ApiError::internal("no application context"));
            };
            let Some(token) = token.filter(|t| !t.is_empty()) else {
                return Err(unauthorized(SignInRequired::Missing));
            };
            let claims = match ctx.access_cache.claims(&token) {
                Some(claims) => claims,
                None => {
                    let claims = access::verify(
                        &ctx.keys,
                        &ctx.settings.jwt_issuer,
                        &ctx.settings.jwt_audience,
                        &token,
                    )
                    .map_err(|refusal| {
                        unauthorized(match refusal {
                            access::Refusal::Expired => SignInRequired::Expired,
                            access::Refusal::Invalid => SignInRequired::Invalid,
                        })
                    })?;
                    ctx.access_cache.remember_claims(&token, &claims);
                    claims
                }
            };
            // Revocation takes effect at once in this process (a revocation drops the account's
            // sessions from the cache) and within a couple of seconds across instances.
            if !ctx.access_cache.session_live(&claims.sid) {
                let stamp = crate::auth::access_cache::AccessCache::stamp(&claims.sub);
                let (session_id, account_id) = (claims.sid.clone(), claims.sub.clone());
                let live = ctx
                    .db
                    .run(move |conn| {
                        Ok(Session::is_live(conn, &session_id, &account_id, db::now())?)
                    })
                    .await?;
                if !live {
                    return Err(unauthorized(SignInRequired::Revoked));
                }
                ctx.access_cache.remember_live(&claims.sid, stamp);
            }
            Ok(Authenticated {
                account_id: claims.sub,
                session_id: claims.sid,
                amr: claims.amr.into_iter().next().unwrap_or_default(),
            })
        })
    }
}
