//! The extractor that makes a handler require sign-in: put [`Authenticated`] in its signature.

use std::future::Future;
use std::pin::Pin;

use actix_web::{
    dev::Payload,
    http::{header, StatusCode},
    web, FromRequest, HttpRequest,
};

use super::access;
use crate::{
    context::ApiContext,
    db::{self, sessions::Session},
    error::ApiError,
    i18n::Text,
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

/// 401 with `WWW-Authenticate: Bearer`, the same for every kind of bad token.
pub fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        Text::new("Authentification requise", "Authentication required"),
        Text::new(
            "Jeton d'accès absent, invalide ou expiré, ou session fermée. Reconnectez-vous.",
            "Missing, invalid or expired access token, or closed session. Please sign in again.",
        ),
    )
    .with_header(
        header::WWW_AUTHENTICATE,
        r#"Bearer realm="comptexpert", error="invalid_token""#,
    )
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
            let (Some(token), Some(ctx)) = (token, ctx) else {
                return Err(unauthorized());
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
                    .ok_or_else(unauthorized)?;
                    ctx.access_cache.remember_claims(&token, &claims);
                    claims
                }
            };
            // Revocation takes effect at once in this process (the cache is cleared by every
            // revocation) and within a couple of seconds across instances.
            if !ctx.access_cache.session_live(&claims.sid) {
                let epoch = crate::db::sessions::revocation_epoch();
                let session_id = claims.sid.clone();
                let live = ctx
                    .db
                    .run(move |conn| Ok(Session::is_live(conn, &session_id, db::now())?))
                    .await?;
                if !live {
                    return Err(unauthorized());
                }
                ctx.access_cache.remember_live(&claims.sid, epoch);
            }
            Ok(Authenticated {
                account_id: claims.sub,
                session_id: claims.sid,
                amr: claims.amr.into_iter().next().unwrap_or_default(),
            })
        })
    }
}
