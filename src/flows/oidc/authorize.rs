//! `GET /oauth2/authorize` (OpenID Connect Core §3.1.2), headless: the client and its exact
//! redirect URI are checked first, and until they are, a refusal is a problem page (never a
//! redirect: an unchecked URI would make this an open redirector, RFC 6749 §4.1.2.1); after, a
//! refusal goes back to the client as `error=…`. A browser with a live SSO session goes straight
//! back with a code; any other goes to the front end's login page with a login request, which
//! the front end accepts once the user has signed in ([`super::login_requests`]).

use chrono::NaiveDateTime;

use crate::{
    context::ApiContext,
    db::{
        self,
        authorization_codes::{AuthorizationCode, Granted},
        login_requests::{Asked, LoginRequest},
        oauth_clients::OAuthClient,
        oidc,
        sessions::Session,
    },
    error::{ApiError, ErrorCode},
    oidc::pkce,
};

/// The query of an authorization request, as sent (every member optional, checked here).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeParams {
    /// `code` (the only response type served).
    pub response_type: Option<String>,
    /// The relying party, as registered.
    pub client_id: Option<String>,
    /// One of the client's registered redirect URIs, exactly.
    pub redirect_uri: Option<String>,
    /// Space-separated, with `openid`; among the client's allowed scopes.
    pub scope: Option<String>,
    /// Returned as is with the code or the error.
    pub state: Option<String>,
    /// Copied into the ID token.
    pub nonce: Option<String>,
    /// PKCE (RFC 7636): required of public clients.
    pub code_challenge: Option<String>,
    /// `S256` (the only method served).
    pub code_challenge_method: Option<String>,
    /// `none` (never ask the user: `login_required` when not signed in) or `login` (always
    /// ask for a new sign-in); `consent` and `select_account` are accepted and change nothing
    /// (the Ordre's sites need no consent screen, and a browser has one account).
    pub prompt: Option<String>,
    /// Seconds since the last sign-in beyond which the user must sign in again.
    pub max_age: Option<String>,
    /// `query` (the default and the only mode served).
    pub response_mode: Option<String>,
    /// Request objects are not supported (`request_not_supported`).
    pub request: Option<String>,
    /// Request objects by reference are not supported (`request_uri_not_supported`).
    pub request_uri: Option<String>,
}

/// Where the browser goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// Back to the client, with a code or an error.
    ToClient(String),
    /// To the front end's login page, with the login request's id; the browser keeps the id in
    /// a cookie, so that only the browser that started the sign-in can collect it.
    ToLogin { url: String, request_id: String },
}

/// `redirect_uri` with `pairs` appended to its query (its own query kept, RFC 6749 §3.1.2).
pub fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        // Registered URIs and the configured pages parse (both are checked when set); should one
        // not, the pairs are still appended rather than the request failing.
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let separator = if redirect_uri.contains('?') { '&' } else { '?' };
        return format!("{redirect_uri}{separator}{query}");
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
    }
    url.to_string()
}

/// An error response to a checked redirect URI (RFC 6749 §4.1.2.1, RFC 9207's `iss`).
pub fn error_redirect(
    issuer: &str,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", issuer));
    redirect_with(redirect_uri, &pairs)
}

/// The code response (RFC 6749 §4.1.2 with RFC 9207's `iss`).
pub fn code_redirect(issuer: &str, redirect_uri: &str, code: &str, state: Option<&str>) -> String {
    let mut pairs = vec![("code", code)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", issuer));
    redirect_with(redirect_uri, &pairs)
}

/// The checked request: what a code or a login request records.
struct Checked {
    client: OAuthClient,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    prompt: Option<String>,
    max_age: Option<i32>,
}

/// The client and its redirect URI, or the problem page.
fn check_client(
    conn: &mut db::DbConnection,
    params: &AuthorizeParams,
) -> Result<(OAuthClient, String), ApiError> {
    let client = match params.client_id.as_deref() {
        Some(id) => OAuthClient::find(conn, id)?,
        None => None,
    }
    .ok_or_else(|| ApiError::of(ErrorCode::ClientUnknown))?;
    let redirect_uri = params
        .redirect_uri
        .clone()
        .filter(|uri| client.redirect_uris().contains(&uri.as_str()))
        .ok_or_else(|| ApiError::of(ErrorCode::RedirectUriMismatch))?;
    Ok((client, redirect_uri))
}

/// The rest of the request, or the OAuth error (`error`, `error_description`) to send back.
fn check_request(
    params: &AuthorizeParams,
    client: &OAuthClient,
) -> Result<(String, Option<i32>), (&'static str, String)> {
    if params.request.is_some() {
        return Err((
            "request_not_supported",
            "request objects are not supported".into(),
        ));
    }
    if params.request_uri.is_some() {
        return Err((
            "request_uri_not_supported",
            "request_uri is not supported".into(),
        ));
    }
    match params.response_type.as_deref() {
        Some("code") => {}
        None => return Err(("invalid_request", "response_type is required".into())),
        Some(_) => {
            return Err((
                "unsupported_response_type",
                "only response_type=code is served".into(),
            ))
        }
    }
    if params
        .response_mode
        .as_deref()
        .is_some_and(|m| m != "query")
    {
        return Err((
            "invalid_request",
            "only response_mode=query is served".into(),
        ));
    }
    let requested: Vec<&str> = params
        .scope
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    if !requested.contains(&"openid") {
        return Err(("invalid_scope", "the openid scope is required".into()));
    }
    let allowed = client.scopes();
    if let Some(refused) = requested.iter().find(|s| !allowed.contains(s)) {
        return Err((
            "invalid_scope",
            format!("scope {refused} is not allowed for this client"),
        ));
    }
    let mut scope: Vec<&str> = Vec::new();
    for s in requested {
        if !scope.contains(&s) {
            scope.push(s);
        }
    }
    match (
        params.code_challenge.as_deref(),
        params.code_challenge_method.as_deref(),
    ) {
        (Some(challenge), Some("S256")) if pkce::is_s256_challenge(challenge) => {}
        (Some(_), Some("S256")) => {
            return Err((
                "invalid_request",
                "code_challenge is not a base64url SHA-256 (43 characters)".into(),
            ))
        }
        (Some(_), _) => {
            return Err((
                "invalid_request",
                "code_challenge_method must be S256".into(),
            ))
        }
        (None, Some(_)) => {
            return Err((
                "invalid_request",
                "code_challenge_method without code_challenge".into(),
            ))
        }
        (None, None) if !client.confidential => {
            return Err((
                "invalid_request",
                "a public client must use PKCE (code_challenge with S256)".into(),
            ))
        }
        (None, None) => {}
    }
    if let Some(prompt) = params.prompt.as_deref() {
        let values: Vec<&str> = prompt.split_whitespace().collect();
        if let Some(unknown) = values
            .iter()
            .find(|v| !matches!(**v, "none" | "login" | "consent" | "select_account"))
        {
            return Err(("invalid_request", format!("unknown prompt value {unknown}")));
        }
        if values.contains(&"none") && values.len() > 1 {
            return Err((
                "invalid_request",
                "prompt=none cannot be combined with another value".into(),
            ));
        }
    }
    let max_age = match params.max_age.as_deref() {
        None => None,
        Some(text) => match text.parse::<i32>() {
            Ok(seconds) if seconds >= 0 => Some(seconds),
            _ => {
                return Err((
                    "invalid_request",
                    "max_age is a whole number of seconds".into(),
                ))
            }
        },
    };
    Ok((scope.join(" "), max_age))
}

/// Whether a session opened at `signed_in_at` satisfies `max_age` at `now`.
pub fn recent_enough(
    signed_in_at: NaiveDateTime,
    max_age: Option<i32>,
    now: NaiveDateTime,
) -> bool {
    max_age.is_none_or(|max| (now - signed_in_at).num_seconds() <= i64::from(max))
}

/// Whether `prompt` asks for a new sign-in.
pub fn forces_login(prompt: Option<&str>) -> bool {
    prompt.is_some_and(|p| p.split_whitespace().any(|v| v == "login"))
}

/// Serves an authorization request for the browser holding `sso_cookie`.
pub async fn authorize(
    ctx: &ApiContext,
    params: AuthorizeParams,
    sso_cookie: Option<String>,
) -> Result<Authorization, ApiError> {
    let now = ctx.clock.now();
    let issuer = ctx.settings.issuer();
    let login_ui = ctx.settings.login_ui_url.clone();
    ctx.db
        .run(move |conn| {
            let (client, redirect_uri) = check_client(conn, &params)?;
            let (scope, max_age) = match check_request(&params, &client) {
                Ok(checked) => checked,
                Err((error, description)) => {
                    return Ok(Authorization::ToClient(error_redirect(
                        &issuer,
                        &redirect_uri,
                        params.state.as_deref(),
                        error,
                        &description,
                    )))
                }
            };
            let checked = Checked {
                client,
                redirect_uri,
                scope,
                state: params.state,
                nonce: params.nonce,
                code_challenge: params.code_challenge,
                prompt: params.prompt,
                max_age,
            };
            let session = match sso_cookie.as_deref() {
                Some(cookie) => oidc::session_of_cookie(conn, cookie, now)?,
                None => None,
            };
            let usable = session.filter(|s| {
                !forces_login(checked.prompt.as_deref())
                    && recent_enough(s.created_at, checked.max_age, now)
            });
            if let Some(session) = usable {
                let code = db::session_write_transaction(conn, |conn| {
                    issue_code(conn, &checked, &session, now)
                })?;
                return Ok(Authorization::ToClient(code_redirect(
                    &issuer,
                    &checked.redirect_uri,
                    &code,
                    checked.state.as_deref(),
                )));
            }
            if checked.prompt.as_deref() == Some("none") {
                return Ok(Authorization::ToClient(error_redirect(
                    &issuer,
                    &checked.redirect_uri,
                    checked.state.as_deref(),
                    "login_required",
                    "the user is not signed in (prompt=none)",
                )));
            }
            let request = db::session_write_transaction(conn, |conn| {
                LoginRequest::create(
                    conn,
                    Asked {
                        client_id: Some(checked.client.client_id.clone()),
                        cas_service_id: None,
                        redirect_uri: checked.redirect_uri.clone(),
                        scope: checked.scope.clone(),
                        state: checked.state.clone(),
                        nonce: checked.nonce.clone(),
                        code_challenge: checked.code_challenge.clone(),
                        prompt: checked.prompt.clone(),
                        max_age: checked.max_age,
                    },
                    now,
                )
            })?;
            Ok(Authorization::ToLogin {
                url: redirect_with(&login_ui, &[("login_request", &request.id)]),
                request_id: request.id,
            })
        })
        .await
}

fn issue_code(
    conn: &mut db::DbConnection,
    checked: &Checked,
    session: &Session,
    now: NaiveDateTime,
) -> diesel::QueryResult<String> {
    AuthorizationCode::issue(
        conn,
        Granted {
            client_id: checked.client.client_id.clone(),
            redirect_uri: checked.redirect_uri.clone(),
            account_id: session.account_id.clone(),
            session_id: session.id.clone(),
            scope: checked.scope.clone(),
            nonce: checked.nonce.clone(),
            code_challenge: checked.code_challenge.clone(),
        },
        now,
    )
}
