use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};

use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::oidc::userinfo::userinfo as claims_of,
};

fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|token| token.trim().to_owned())
}

async fn answer(ctx: &ApiContext, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let claims = claims_of(ctx, bearer(req)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(claims))
}

/// The UserInfo endpoint (OpenID Connect Core §5.3): `sub` and the claims of the granted scopes
/// (`profile`: `name`, `given_name`, `family_name`, `preferred_username`; `email`: `email`,
/// `email_verified`; `ordre`: `supra_number`, `qualite`, `regions`), for the access token a
/// relying party got from `/oauth2/token`, while its grant and sign-in are live. The API's own
/// access tokens are refused here, and these are refused by `/v1`.
#[utoipa::path(
    tag = "single sign-on",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's claims", body = Object),
        (status = 401, description = "`token_missing`, `token_invalid`, `token_revoked`, with `WWW-Authenticate: Bearer`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/oauth2/userinfo")]
pub async fn userinfo(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    answer(&ctx, &req).await
}

/// The UserInfo endpoint by POST, as OpenID Connect Core §5.3.1 allows (the same answer).
#[utoipa::path(
    tag = "single sign-on",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's claims", body = Object),
        (status = 401, description = "`token_missing`, `token_invalid`, `token_revoked`, with `WWW-Authenticate: Bearer`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oauth2/userinfo")]
pub async fn userinfo_by_post(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    answer(&ctx, &req).await
}
