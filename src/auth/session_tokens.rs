//! Opening a session and handing out its tokens: shared by every sign-in method
//! (password, Expertpass, Signexpert), which differ only in how they prove who the caller is.

use actix_web::{http::header, HttpRequest};
use serde::Serialize;
use utoipa::ToSchema;

use super::access;
use crate::domain::states::SecurityEventKind;
use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        security_events::{NewEvent, SecurityEvent},
        sessions::{refresh_lifetime, NewSession, Session},
    },
    error::ApiError,
    limits,
    routes::me::AccountView,
};

/// The tokens of a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer …` (EdDSA, 15 minutes).
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Access-token lifetime in seconds.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque, single use: exchange it at `POST /v1/sessions/refresh` for a new pair.
    pub refresh_token: String,
    /// Refresh-token lifetime in seconds: 30 days with "Garder ma session active", else 12 hours.
    #[schema(example = 43200)]
    pub refresh_expires_in: i64,
    /// The session id (the `sid` claim), as listed by `GET /v1/me/sessions`.
    pub session_id: String,
    /// The signed-in account.
    pub account: AccountView,
}

/// Who is signing in, and from where.
pub struct SignInContext {
    pub amr: &'static str,
    pub keep_active: bool,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
}

impl SignInContext {
    /// A sign-in made by `req`: its client address and user agent (first 200 characters).
    pub fn of_request(req: &HttpRequest, amr: &'static str, keep_active: bool) -> Self {
        Self {
            amr,
            keep_active,
            client_address: Some(limits::client_address(req)),
            user_agent: req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(200).collect()),
        }
    }
}

/// Opens a session for `account` (one transaction with its security event) and signs the tokens.
pub async fn open(
    ctx: &ApiContext,
    account: Account,
    sign_in: SignInContext,
) -> Result<TokenResponse, ApiError> {
    let account_id = account.id.clone();
    let (session, refresh_token) = ctx
        .db
        .run(move |conn| {
            Ok(Session::open(
                conn,
                NewSession {
                    account_id: &account_id,
                    amr: sign_in.amr,
                    keep_active: sign_in.keep_active,
                    client_address: sign_in.client_address,
                    user_agent: sign_in.user_agent,
                },
                SecurityEventKind::SignIn,
                db::now(),
            )?)
        })
        .await?;
    respond(ctx, &account, &session, refresh_token)
}

/// Signs an access token for `session` and assembles the answer.
pub fn respond(
    ctx: &ApiContext,
    account: &Account,
    session: &Session,
    refresh_token: String,
) -> Result<TokenResponse, ApiError> {
    let access_token = access::issue(
        &ctx.keys,
        &ctx.settings.jwt_issuer,
        &ctx.settings.jwt_audience,
        &account.id,
        &session.id,
        &session.amr,
    )
    .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: access::ACCESS_TOKEN_SECONDS,
        refresh_token,
        refresh_expires_in: refresh_lifetime(session.keep_active).num_seconds(),
        session_id: session.id.clone(),
        account: AccountView::from(account),
    })
}

/// Closes the live session a refresh token belongs to (sign-out by the refresh token alone) and
/// records the sign-out, in one transaction; an unknown, expired or revoked token changes nothing.
pub fn sign_out_by_refresh_token(
    conn: &mut db::DbConnection,
    presented: &str,
    client_address: &str,
) -> diesel::QueryResult<()> {
    db::session_write_transaction(conn, |conn| {
        let now = db::now();
        let Some(session) = Session::find_live_by_refresh_token(conn, presented, now)? else {
            return Ok(());
        };
        if Session::revoke(conn, &session.id, now, "sign_out")? {
            SecurityEvent::record(
                conn,
                NewEvent {
                    account_id: &session.account_id,
                    kind: SecurityEventKind::SignOut,
                    method: Some(&session.amr),
                    client_address: Some(client_address),
                    session_id: Some(&session.id),
                },
                now,
            )?;
        }
        Ok(())
    })
}
