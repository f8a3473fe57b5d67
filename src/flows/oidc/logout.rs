//! `GET|POST /oauth2/logout` (OpenID Connect RP-Initiated Logout 1.0): ends the browser's SSO
//! session (and with it every relying party's grant of it, each told through its back-channel
//! logout URI), then sends the browser to a post-logout URI registered by the client, or to the
//! front end.

use crate::{
    context::ApiContext,
    db::{self, oauth_clients::OAuthClient, oidc, sessions::Session},
    error::{ApiError, ErrorCode},
    flows::Client,
    oidc::tokens::read_id_token_hint,
};

use super::authorize::redirect_with;

/// The parameters of a logout request (query or form).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct LogoutParams {
    /// An ID token this service issued to the client (expired is fine).
    pub id_token_hint: Option<String>,
    /// The client, when no `id_token_hint` names it.
    pub client_id: Option<String>,
    /// One of the client's registered post-logout redirect URIs, exactly.
    pub post_logout_redirect_uri: Option<String>,
    /// Returned as is to the post-logout redirect URI.
    pub state: Option<String>,
}

/// Ends the SSO session of `sso_cookie` (if live) and tells where the browser goes.
pub async fn logout(
    ctx: &ApiContext,
    params: LogoutParams,
    sso_cookie: Option<String>,
    client: Client,
) -> Result<String, ApiError> {
    let now = ctx.clock.now();
    let issuer = ctx.settings.issuer();
    let hint = match params.id_token_hint.as_deref() {
        Some(token) => Some(
            read_id_token_hint(ctx.id_token_keys()?, &ctx.keys, &issuer, token)
                .ok_or_else(|| ApiError::of(ErrorCode::InvalidIdTokenHint))?,
        ),
        None => None,
    };
    if let (Some(hint), Some(id)) = (&hint, &params.client_id) {
        if &hint.aud != id {
            return Err(ApiError::of(ErrorCode::InvalidIdTokenHint));
        }
    }
    let client_id = hint
        .as_ref()
        .map(|h| h.aud.clone())
        .or(params.client_id.clone());
    let front_end = ctx.settings.frontend_url.clone();
    ctx.db
        .run(move |conn| {
            let target = match &params.post_logout_redirect_uri {
                Some(uri) => {
                    let registered = match &client_id {
                        Some(id) => OAuthClient::find(conn, id)?,
                        None => None,
                    }
                    .ok_or_else(|| ApiError::of(ErrorCode::ClientUnknown))?;
                    if !registered
                        .post_logout_redirect_uris()
                        .contains(&uri.as_str())
                    {
                        return Err(ApiError::of(ErrorCode::RedirectUriMismatch));
                    }
                    match &params.state {
                        Some(state) => redirect_with(uri, &[("state", state)]),
                        None => uri.clone(),
                    }
                }
                None => format!("{front_end}/"),
            };
            let session = match sso_cookie.as_deref() {
                Some(cookie) => oidc::session_of_cookie(conn, cookie, now)?,
                None => None,
            };
            if let Some(session) = session {
                db::scoped_write_transaction(conn, |conn, touched| {
                    Session::sign_out(
                        conn,
                        touched,
                        &session.account_id,
                        &session.id,
                        &session.amr,
                        &client.address,
                        now,
                    )
                })?;
            }
            Ok(target)
        })
        .await
}
