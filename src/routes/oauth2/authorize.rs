use actix_web::{get, http::header, web, HttpRequest, HttpResponse};

use super::{cookie, found, sso_cookie, to_login_page, LOGIN_COOKIE, SSO_COOKIE};
use crate::{
    context::ApiContext,
    error::{ApiError, ErrorCode, Problem},
    flows::oidc::{
        authorize::{authorize as serve, Authorization, AuthorizeParams},
        login_requests,
    },
};

/// The authorization endpoint (OpenID Connect Core §3.1.2), headless. With a live SSO session
/// and nothing forcing a new sign-in (`prompt=login`, `max_age`), a `302` straight back to
/// `redirect_uri` with `code`, `state` and `iss` (RFC 9207); otherwise a `302` to the front
/// end's login page (`LOGIN_UI_URL`) with `login_request`. An unknown client or an unregistered
/// redirect URI is a problem page (no redirect); any other error goes back to the client as
/// `error=…` (`invalid_request`, `invalid_scope`, `unsupported_response_type`,
/// `login_required` for `prompt=none`…).
#[utoipa::path(
    tag = "single sign-on",
    params(AuthorizeParams),
    responses(
        (status = 302, description = "To the client (`code` or `error`), or to the front end's login page (`login_request`)"),
        (status = 400, description = "`client_unknown`, `redirect_uri_mismatch`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/oauth2/authorize")]
pub async fn authorize(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    params: web::Query<AuthorizeParams>,
) -> Result<HttpResponse, ApiError> {
    let next = serve(&ctx, params.into_inner(), sso_cookie(&req)).await?;
    Ok(match next {
        Authorization::ToClient(url) => found(&url),
        Authorization::ToLogin { url, request_id } => to_login_page(&url, &request_id)?,
    })
}

/// Where an accepted login request is collected.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResumeParams {
    /// The login request's id.
    pub login_request: String,
    /// The one-time continuation returned by the acceptance.
    pub continuation: String,
}

/// The browser's return from the front end's login page: the `redirect_to` of an accepted login
/// request. Sets the SSO cookie (HttpOnly, Secure, SameSite=Lax; persistent for "Garder ma
/// session active", else until the browser closes) and sends the browser back to the client
/// with its code, or to the CAS service with its ticket. Once only.
#[utoipa::path(
    tag = "single sign-on",
    params(ResumeParams),
    responses(
        (status = 302, description = "To the client with `code`, `state` and `iss`, or to the CAS service with `ticket`; sets the SSO cookie"),
        (status = 404, description = "`login_request_not_found`: unknown, expired, not accepted, already collected, a wrong continuation, or another browser than the one sent to the login page", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/oauth2/authorize/resume")]
pub async fn resume(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    params: web::Query<ResumeParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    // Only the browser that was sent to the login page may collect the sign-in: a continuation
    // URL passed to someone else would otherwise sign their browser in to this account.
    if cookie(&req, LOGIN_COOKIE).as_deref() != Some(params.login_request.as_str()) {
        return Err(ApiError::of(ErrorCode::LoginRequestNotFound));
    }
    let resumed = login_requests::resume(&ctx, params.login_request, params.continuation).await?;
    let lifetime = if resumed.keep_active {
        format!(
            "; Max-Age={}",
            ctx.settings.session_lifetimes.kept_active_max.num_seconds()
        )
    } else {
        String::new()
    };
    let mut response = found(&resumed.redirect);
    response.headers_mut().insert(
        header::SET_COOKIE,
        header::HeaderValue::from_str(&format!(
            "{SSO_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax{lifetime}",
            resumed.cookie
        ))
        .map_err(ApiError::internal)?,
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        header::HeaderValue::from_str(&format!(
            "{LOGIN_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
        ))
        .map_err(ApiError::internal)?,
    );
    Ok(response)
}
