//! `POST /oauth2/token` (RFC 6749 §3.2, OpenID Connect Core §3.1.3): a code exchanged once for
//! the client's tokens, and refresh tokens rotated with reuse detection. Clients authenticate
//! with `client_secret_basic` or `client_secret_post`, or, public, with none and PKCE. Refusals
//! are OAuth's error JSON (§5.2), not problem+json: that is what every client library reads.

use chrono::{Duration, NaiveDateTime};

use super::claims::user_claims;
use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        authorization_codes::{AuthorizationCode, Presented, Refusal},
        oauth_clients::OAuthClient,
        oidc::{Grant, GrantRefresh},
        sessions::Session,
    },
    error::ApiError,
    oidc::{
        clients::secret_matches,
        tokens::{acr_of, sign_access, sign_for, AccessClaims, IdTokenClaims},
    },
};

/// The form of a token request (every member optional, checked here).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// `authorization_code` or `refresh_token`.
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub client_id: Option<String>,
    /// `client_secret_post`; prefer HTTP Basic (`client_secret_basic`).
    pub client_secret: Option<String>,
    /// Ignored: a refresh keeps the grant's scope.
    pub scope: Option<String>,
}

/// A refusal in OAuth's terms (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`.
    pub error: &'static str,
    pub description: String,
    /// `invalid_client` after HTTP Basic: 401 with `WWW-Authenticate: Basic` (§5.2).
    pub basic_challenge: bool,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }
}

/// Why a token request failed: refused in OAuth's terms, or the service's own trouble.
#[derive(Debug)]
pub enum TokenFailure {
    OAuth(OAuthError),
    Service(ApiError),
}

impl From<ApiError> for TokenFailure {
    fn from(error: ApiError) -> Self {
        Self::Service(error)
    }
}

impl From<diesel::result::Error> for TokenFailure {
    fn from(error: diesel::result::Error) -> Self {
        Self::Service(error.into())
    }
}

impl From<OAuthError> for TokenFailure {
    fn from(error: OAuthError) -> Self {
        Self::OAuth(error)
    }
}

/// The token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// A JWT for `/oauth2/userinfo` (EdDSA), meant for this client only.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives (the client's setting).
    pub expires_in: i64,
    /// Single use: each refresh returns a new one; presenting a used one revokes the grant.
    pub refresh_token: String,
    /// The ID token (RS256, or EdDSA for a client registered for it).
    pub id_token: String,
    /// The granted scopes.
    pub scope: String,
}

/// HTTP Basic credentials, decoded (RFC 6749 §2.3.1: each part form-urlencoded).
pub struct BasicCredentials {
    pub client_id: String,
    pub secret: String,
}

/// Decodes `Authorization: Basic …`; `None` for another scheme or a malformed value.
pub fn basic_credentials(header: &str) -> Option<BasicCredentials> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |text: &str| {
        url::form_urlencoded::parse(format!("x={text}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
    };
    Some(BasicCredentials {
        client_id: unescape(id)?,
        secret: unescape(secret)?,
    })
}

/// The client authenticated by one of the three methods, or `invalid_client`.
fn authenticate(
    conn: &mut db::DbConnection,
    request: &TokenRequest,
    basic: Option<&BasicCredentials>,
) -> Result<OAuthClient, TokenFailure> {
    let refused = |basic: bool| {
        TokenFailure::OAuth(OAuthError {
            basic_challenge: basic,
            ..OAuthError::new("invalid_client", "client authentication failed")
        })
    };
    if let Some(basic) = basic {
        if request.client_secret.is_some() {
            return Err(OAuthError::new(
                "invalid_request",
                "use one client authentication method, not two",
            )
            .into());
        }
        if request
            .client_id
            .as_deref()
            .is_some_and(|id| id != basic.client_id)
        {
            return Err(OAuthError::new(
                "invalid_request",
                "client_id differs from the authenticated client",
            )
            .into());
        }
        let client = OAuthClient::find(conn, &basic.client_id)?.ok_or_else(|| refused(true))?;
        if !secret_matches(&client, &basic.secret) {
            return Err(refused(true));
        }
        return Ok(client);
    }
    let Some(client_id) = request.client_id.as_deref() else {
        return Err(OAuthError::new("invalid_request", "client_id is required").into());
    };
    let client = OAuthClient::find(conn, client_id)?.ok_or_else(|| refused(false))?;
    match (&request.client_secret, client.confidential) {
        (Some(secret), true) if secret_matches(&client, secret) => Ok(client),
        (None, false) => Ok(client),
        _ => Err(refused(false)),
    }
}

/// What the tokens are made of once the grant is settled.
struct Issued {
    client: OAuthClient,
    grant: Grant,
    refresh_token: String,
    account: Account,
    session: Session,
    nonce: Option<String>,
    user: serde_json::Map<String, serde_json::Value>,
}

/// Serves a token request.
pub async fn exchange(
    ctx: &ApiContext,
    request: TokenRequest,
    basic: Option<BasicCredentials>,
) -> Result<TokenResponse, TokenFailure> {
    let now = ctx.clock.now();
    let issued = ctx
        .db
        .run(move |conn| Ok(settle(conn, &request, basic.as_ref(), now)))
        .await??;
    let issuer = ctx.settings.issuer();
    let iat = now.and_utc().timestamp();
    let access_seconds = i64::from(issued.client.access_token_seconds);
    let scope = issued.grant.scope.clone();
    let access_token = sign_access(
        &ctx.keys,
        &AccessClaims {
            iss: issuer.clone(),
            sub: issued.account.id.clone(),
            aud: issued.client.client_id.clone(),
            client_id: issued.client.client_id.clone(),
            scope: scope.clone(),
            sid: issued.grant.id.clone(),
            iat,
            exp: iat + access_seconds,
            jti: uuid::Uuid::new_v4().to_string(),
        },
    )
    .map_err(ApiError::internal)?;
    let id_claims = IdTokenClaims {
        iss: issuer,
        sub: issued.account.id.clone(),
        aud: issued.client.client_id.clone(),
        azp: issued.client.client_id.clone(),
        exp: iat + access_seconds,
        iat,
        auth_time: issued.session.created_at.and_utc().timestamp(),
        nonce: issued.nonce,
        amr: vec![issued.session.amr.clone()],
        acr: acr_of(&issued.session.amr).to_owned(),
        sid: issued.session.id.clone(),
        user: issued.user,
    };
    let id_token = sign_for(
        &issued.client.id_token_alg,
        ctx.id_token_keys()?,
        &ctx.keys,
        &id_claims,
    )
    .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: access_seconds,
        refresh_token: issued.refresh_token,
        id_token,
        scope,
    })
}

fn settle(
    conn: &mut db::DbConnection,
    request: &TokenRequest,
    basic: Option<&BasicCredentials>,
    now: NaiveDateTime,
) -> Result<Issued, TokenFailure> {
    let grant_type = request.grant_type.as_deref();
    if !matches!(grant_type, Some("authorization_code" | "refresh_token")) {
        return Err(match grant_type {
            None => OAuthError::new("invalid_request", "grant_type is required"),
            Some(_) => OAuthError::new(
                "unsupported_grant_type",
                "grant_type is authorization_code or refresh_token",
            ),
        }
        .into());
    }
    let client = authenticate(conn, request, basic)?;
    let invalid_grant = |text: &str| TokenFailure::OAuth(OAuthError::new("invalid_grant", text));
    let (grant, refresh_token, nonce) = if grant_type == Some("authorization_code") {
        let (Some(code), Some(redirect_uri)) = (&request.code, &request.redirect_uri) else {
            return Err(
                OAuthError::new("invalid_request", "code and redirect_uri are required").into(),
            );
        };
        let outcome = db::session_write_transaction(conn, |conn| {
            let redeemed = AuthorizationCode::redeem(
                conn,
                code,
                Presented {
                    client_id: &client.client_id,
                    redirect_uri,
                    code_verifier: request.code_verifier.as_deref(),
                },
                now,
            )?;
            let code = match redeemed {
                Ok(code) => code,
                Err(Refusal::Replayed { grant_id }) => {
                    // RFC 6749 §4.1.2: what the first exchange issued is revoked.
                    Grant::revoke(conn, &grant_id, "code_replayed", now)?;
                    return Ok(Err("the code was already used: its tokens are revoked"));
                }
                Err(Refusal::Unknown | Refusal::Mismatch) => {
                    return Ok(Err(
                        "the code is unknown, expired, or not for this client, redirect URI and code_verifier",
                    ))
                }
            };
            if Session::find_live(conn, &code.session_id, now)?.is_none() {
                return Ok(Err("the sign-in of this code has ended"));
            }
            let (grant, refresh_token) = Grant::open(
                conn,
                code.grant_id.clone().unwrap_or_default(),
                &client.client_id,
                &code.account_id,
                &code.session_id,
                &code.scope,
                Duration::seconds(i64::from(client.refresh_token_seconds)),
                now,
            )?;
            diesel::QueryResult::Ok(Ok((grant, refresh_token, code.nonce)))
        })?;
        outcome.map_err(invalid_grant)?
    } else {
        let Some(presented) = &request.refresh_token else {
            return Err(OAuthError::new("invalid_request", "refresh_token is required").into());
        };
        let outcome = db::session_write_transaction(conn, |conn| {
            Grant::refresh(conn, &client.client_id, presented, now)
        })?;
        match outcome {
            GrantRefresh::Rotated {
                grant,
                refresh_token,
            } => (*grant, refresh_token, None),
            GrantRefresh::Refused => {
                return Err(invalid_grant(
                    "the refresh token is unknown, expired, revoked or not this client's",
                ))
            }
            GrantRefresh::Reused => {
                return Err(invalid_grant(
                    "the refresh token was already used: the grant is revoked",
                ))
            }
        }
    };
    let session = Session::find_live(conn, &grant.session_id, now)?
        .ok_or_else(|| invalid_grant("the sign-in of this grant has ended"))?;
    let account = Account::find(conn, &grant.account_id)?
        .filter(Account::is_active)
        .ok_or_else(|| invalid_grant("the account is not active"))?;
    let scopes: Vec<&str> = grant.scope.split_whitespace().collect();
    let user = user_claims(conn, &account, &scopes)?;
    Ok(Issued {
        client,
        grant,
        refresh_token,
        account,
        session,
        nonce,
        user,
    })
}
