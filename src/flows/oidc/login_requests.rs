//! The front end's part of a headless sign-in, for an OpenID Connect client or a CAS service
//! alike: read what a site asks (`GET
//! /v1/login-requests/{id}`), sign the user in with the usual methods, then accept the request
//! with the new session's access token (or reject it). Accepting hands the front end a one-time
//! continuation URL on this service; the browser sent there gets the SSO cookie, and the site its
//! code ([`resume`]). The request's id alone lets no one else collect that cookie.

use chrono::NaiveDateTime;

use super::authorize::{code_redirect, error_redirect, forces_login, recent_enough, redirect_with};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        authorization_codes::{AuthorizationCode, Granted},
        cas::{CasService, ServiceTicket, Ticketed},
        login_requests::LoginRequest,
        oauth_clients::OAuthClient,
        oidc,
        sessions::Session,
    },
    domain::{states::LoginRequestStatus, tokens},
    error::{ApiError, ErrorCode},
};

/// Who asked for a sign-in.
pub enum Site {
    /// An OpenID Connect relying party.
    Client(OAuthClient),
    /// A CAS service.
    Cas(CasService),
}

impl Site {
    /// The client or service id.
    pub fn id(&self) -> &str {
        match self {
            Self::Client(client) => &client.client_id,
            Self::Cas(service) => &service.service_id,
        }
    }

    /// What the user is told they sign in to.
    pub fn name(&self) -> &str {
        match self {
            Self::Client(client) => &client.name,
            Self::Cas(service) => &service.name,
        }
    }
}

/// A pending login request with the site it is for.
pub struct Pending {
    pub request: LoginRequest,
    pub site: Site,
}

fn site_of(conn: &mut db::DbConnection, request: &LoginRequest) -> Result<Site, ApiError> {
    let site = match (&request.client_id, &request.cas_service_id) {
        (Some(id), _) => OAuthClient::find(conn, id)?.map(Site::Client),
        (None, Some(id)) => CasService::find(conn, id)?.map(Site::Cas),
        (None, None) => None,
    };
    site.ok_or_else(not_found)
}

fn not_found() -> ApiError {
    ApiError::of(ErrorCode::LoginRequestNotFound)
}

fn pending(conn: &mut db::DbConnection, id: &str, now: NaiveDateTime) -> Result<Pending, ApiError> {
    let request = LoginRequest::find_unexpired(conn, id, now)?.ok_or_else(not_found)?;
    if request.status != LoginRequestStatus::Pending {
        return Err(ApiError::of(ErrorCode::LoginRequestDecided));
    }
    let site = site_of(conn, &request)?;
    Ok(Pending { request, site })
}

/// What a pending request asks: shown by the front end before and after the sign-in.
pub async fn read(ctx: &ApiContext, id: String) -> Result<Pending, ApiError> {
    let now = ctx.clock.now();
    ctx.db.run(move |conn| pending(conn, &id, now)).await
}

/// Accepts the request `id` for the caller's session; the URL to send the browser to.
/// `fresh_sign_in_required` when the site asked for a new sign-in (`prompt=login`) or a recent
/// one (`max_age`) and the caller's session is older.
pub async fn accept(
    ctx: &ApiContext,
    auth: &Authenticated,
    id: String,
) -> Result<String, ApiError> {
    let now = ctx.clock.now();
    let auth = auth.clone();
    let issuer = ctx.settings.issuer();
    ctx.db
        .run(move |conn| {
            let Pending { request, .. } = pending(conn, &id, now)?;
            let session =
                Session::find_live(conn, &auth.session_id, now)?.ok_or_else(ApiError::not_found)?;
            // Instants are kept to the second: a session of the request's own second may
            // be the one it was made from, so a new sign-in is one of a later second.
            let fresh =
                !forces_login(request.prompt.as_deref()) || session.created_at > request.created_at;
            if !fresh || !recent_enough(session.created_at, request.max_age, now) {
                return Err(ApiError::of(ErrorCode::FreshSignInRequired));
            }
            let continuation = tokens::random_token();
            let accepted = db::session_write_transaction(conn, |conn| {
                LoginRequest::accept(
                    conn,
                    &id,
                    &auth.account_id,
                    &auth.session_id,
                    &continuation,
                    now,
                )
            })?;
            if !accepted {
                return Err(ApiError::of(ErrorCode::LoginRequestDecided));
            }
            Ok(super::authorize::redirect_with(
                &format!("{issuer}/oauth2/authorize/resume"),
                &[("login_request", &id), ("continuation", &continuation)],
            ))
        })
        .await
}

/// Rejects the request `id` (the user declined or cancelled); the URL that takes the browser
/// back to the site: with `error=access_denied` for a client, without a ticket for a service.
pub async fn reject(ctx: &ApiContext, id: String) -> Result<String, ApiError> {
    let now = ctx.clock.now();
    let issuer = ctx.settings.issuer();
    ctx.db
        .run(move |conn| {
            let Pending { request, .. } = pending(conn, &id, now)?;
            if !db::session_write_transaction(conn, |conn| LoginRequest::reject(conn, &id, now))? {
                return Err(ApiError::of(ErrorCode::LoginRequestDecided));
            }
            if request.cas_service_id.is_some() {
                // CAS has no error response: the service is reached without a ticket, as
                // after `gateway=true` when nobody is signed in.
                return Ok(request.redirect_uri);
            }
            Ok(error_redirect(
                &issuer,
                &request.redirect_uri,
                request.state.as_deref(),
                "access_denied",
                "the user declined to sign in",
            ))
        })
        .await
}

/// The browser's return from the front end: the SSO cookie for it, and where it goes next.
pub struct Resumed {
    /// The client's redirect URI with the code, or the CAS service URL with its ticket.
    pub redirect: String,
    /// The new SSO cookie's value.
    pub cookie: String,
    /// "Garder ma session active": the cookie outlives the browser.
    pub keep_active: bool,
}

/// Collects an accepted request with its continuation: once, within the request's lifetime, and
/// only while the session that accepted it is live.
pub async fn resume(
    ctx: &ApiContext,
    id: String,
    continuation: String,
) -> Result<Resumed, ApiError> {
    let now = ctx.clock.now();
    let issuer = ctx.settings.issuer();
    let ticket_lifetime = ctx.settings.cas_ticket_lifetime;
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let request =
                    LoginRequest::complete(conn, &id, &continuation, now)?.ok_or_else(not_found)?;
                let session_id = request.session_id.clone().unwrap_or_default();
                let session = Session::find_live(conn, &session_id, now)?.ok_or_else(not_found)?;
                let cookie = oidc::issue_cookie(conn, &session.id, now)?;
                let Some(client_id) = request.client_id.clone() else {
                    let service_id = request.cas_service_id.clone().unwrap_or_default();
                    // Signed in at the front end for this request (not an older session
                    // accepted as it was): what `isFromNewLogin` and `renew` are about.
                    let from_new_login = session.created_at >= request.created_at;
                    let ticket = ServiceTicket::issue(
                        conn,
                        Ticketed {
                            service_id: &service_id,
                            service_url: &request.redirect_uri,
                            account_id: &session.account_id,
                            session_id: &session.id,
                            from_new_login,
                        },
                        ticket_lifetime,
                        now,
                    )?;
                    return Ok(Resumed {
                        redirect: redirect_with(&request.redirect_uri, &[("ticket", &ticket)]),
                        cookie,
                        keep_active: session.keep_active,
                    });
                };
                let code = AuthorizationCode::issue(
                    conn,
                    Granted {
                        client_id,
                        redirect_uri: request.redirect_uri.clone(),
                        account_id: session.account_id.clone(),
                        session_id: session.id.clone(),
                        scope: request.scope.clone(),
                        nonce: request.nonce.clone(),
                        code_challenge: request.code_challenge.clone(),
                    },
                    now,
                )?;
                Ok(Resumed {
                    redirect: code_redirect(
                        &issuer,
                        &request.redirect_uri,
                        &code,
                        request.state.as_deref(),
                    ),
                    cookie,
                    keep_active: session.keep_active,
                })
            })
        })
        .await
}
