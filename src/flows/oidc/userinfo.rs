//! `GET|POST /oauth2/userinfo` (OpenID Connect Core §5.3): the user's claims for a relying
//! party's access token, while its grant and the SSO session behind it are live.

use serde_json::{json, Map, Value};

use super::claims::user_claims;
use crate::{
    auth::extractor::{unauthorized, SignInRequired},
    context::ApiContext,
    db::{accounts::Account, oidc::Grant},
    error::ApiError,
    oidc::tokens::verify_access,
};

/// The claims for `token`; 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750
/// §3) for a token that is not a live relying party's.
pub async fn userinfo(
    ctx: &ApiContext,
    token: Option<String>,
) -> Result<Map<String, Value>, ApiError> {
    let token = token.ok_or_else(|| unauthorized(SignInRequired::Missing))?;
    let claims = verify_access(&ctx.keys, &ctx.settings.issuer(), &token)
        .ok_or_else(|| unauthorized(SignInRequired::Invalid))?;
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let grant = Grant::find_live(conn, &claims.sid, now)?
                .filter(|grant| grant.client_id == claims.client_id)
                .ok_or_else(|| unauthorized(SignInRequired::Revoked))?;
            let account = Account::find(conn, &grant.account_id)?
                .filter(Account::is_active)
                .ok_or_else(|| unauthorized(SignInRequired::Revoked))?;
            let scopes: Vec<&str> = grant.scope.split_whitespace().collect();
            let mut info = user_claims(conn, &account, &scopes)?;
            info.insert("sub".into(), json!(account.id));
            Ok(info)
        })
        .await
}
