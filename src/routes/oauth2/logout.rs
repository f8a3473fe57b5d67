use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};

use super::{found, sso_cookie, SSO_COOKIE};
use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        oidc::logout::{logout as end, LogoutParams},
        Client,
    },
};

async fn answer(
    ctx: &ApiContext,
    req: &HttpRequest,
    params: LogoutParams,
    client: Client,
) -> Result<HttpResponse, ApiError> {
    let target = end(ctx, params, sso_cookie(req), client).await?;
    let mut response = found(&target);
    response.headers_mut().insert(
        header::SET_COOKIE,
        header::HeaderValue::from_str(&format!(
            "{SSO_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
        ))
        .map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the browser's SSO session,
/// and with it the sessions of every site signed in through it (each told by back-channel
/// logout), clears the cookie, then a `302` to `post_logout_redirect_uri` (registered for the
/// client named by `id_token_hint` or `client_id`; with `state`), or to the front end.
#[utoipa::path(
    tag = "single sign-on",
    params(LogoutParams),
    responses(
        (status = 302, description = "Signed out; to the post-logout URI or the front end"),
        (status = 400, description = "`invalid_id_token_hint`, `client_unknown`, `redirect_uri_mismatch`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/oauth2/logout")]
pub async fn logout(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    params: web::Query<LogoutParams>,
    client: Client,
) -> Result<HttpResponse, ApiError> {
    answer(&ctx, &req, params.into_inner(), client).await
}

/// RP-initiated logout by a form POST (the same parameters and answer).
#[utoipa::path(
    tag = "single sign-on",
    request_body(content = LogoutParams, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 302, description = "Signed out; to the post-logout URI or the front end"),
        (status = 400, description = "`invalid_id_token_hint`, `client_unknown`, `redirect_uri_mismatch`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oauth2/logout")]
pub async fn logout_by_post(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    params: web::Form<LogoutParams>,
    client: Client,
) -> Result<HttpResponse, ApiError> {
    answer(&ctx, &req, params.into_inner(), client).await
}
