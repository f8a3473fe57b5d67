//! The front end's part of a headless sign-in for another site of the Ordre (OpenID Connect,
//! CAS): read the login request its page was opened with, then accept it once the user has
//! signed in, or reject it.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::oidc::login_requests as flow,
};

/// What a site asks for: shown on the login page ("Connexion à l'Annuaire de l'Ordre").
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginRequestView {
    pub id: String,
    /// How the site signs its users in: `openid_connect` or `cas`.
    pub protocol: String,
    /// The site's client id (OpenID Connect) or service id (CAS).
    #[schema(example = "annuaire")]
    pub client_id: String,
    /// The site's name.
    #[schema(example = "Annuaire de l'Ordre")]
    pub client_name: String,
    /// What an OpenID Connect site will learn: `openid`, `profile`, `email`, `ordre`,
    /// `offline_access` (empty for CAS).
    pub scopes: Vec<String>,
    /// What a CAS site will learn: `firstName`, `lastName`, `displayName`, `email`,
    /// `supraNumber`, `qualite`, `qualiteLabel`, `regions` (empty for OpenID Connect).
    pub attributes: Vec<String>,
    /// The site asks for a new sign-in (`prompt=login`, CAS `renew`): accept with a session
    /// opened after the request was made.
    pub sign_in_required: bool,
    /// The site accepts a sign-in at most this many seconds old (`max_age`).
    pub max_age: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// Ten minutes after its creation.
    pub expires_at: DateTime<Utc>,
}

/// Where the front end sends the browser next.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginRequestDecision {
    /// Accepted: this service's URL that sets the SSO cookie and returns to the site with its
    /// code (or CAS ticket); rejected: the site's redirect URI with `error=access_denied` (a CAS
    /// service's URL without a ticket).
    pub redirect_to: String,
}

/// Read a pending login request (no sign-in needed: its id is a 256-bit secret in the login
/// page's URL).
#[utoipa::path(
    tag = "single sign-on",
    params(("id" = String, Path, description = "The `login_request` of the login page's URL")),
    responses(
        (status = 200, description = "The request", body = LoginRequestView),
        (status = 404, description = "`login_request_not_found`: unknown or expired", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`login_request_decided`: already accepted or rejected", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/login-requests/{id}")]
pub async fn read(
    ctx: web::Data<ApiContext>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let flow::Pending { request, site } = flow::read(&ctx, id.into_inner()).await?;
    let (protocol, attributes) = match &site {
        flow::Site::Client(_) => ("openid_connect", Vec::new()),
        flow::Site::Cas(service) => (
            "cas",
            service
                .attributes()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
    };
    Ok(HttpResponse::Ok().json(LoginRequestView {
        sign_in_required: crate::flows::oidc::authorize::forces_login(request.prompt.as_deref()),
        scopes: request.scopes().into_iter().map(str::to_owned).collect(),
        protocol: protocol.to_owned(),
        attributes,
        client_id: site.id().to_owned(),
        client_name: site.name().to_owned(),
        id: request.id,
        max_age: request.max_age,
        created_at: request.created_at.and_utc(),
        expires_at: request.expires_at.and_utc(),
    }))
}

/// Accept a login request with the access token of the session the user just signed in with
/// (password, Expertpass or Signexpert); send the browser to `redirect_to`.
#[utoipa::path(
    tag = "single sign-on",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The login request")),
    responses(
        (status = 200, description = "Accepted", body = LoginRequestDecision),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`fresh_sign_in_required`: the site asked for a new or more recent sign-in than this session's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`login_request_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`login_request_decided`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/login-requests/{id}/accept")]
pub async fn accept(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let redirect_to = flow::accept(&ctx, &auth, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(LoginRequestDecision { redirect_to }))
}

/// Reject a login request (the user cancelled); send the browser to `redirect_to`, the site's
/// redirect URI with `error=access_denied`.
#[utoipa::path(
    tag = "single sign-on",
    params(("id" = String, Path, description = "The login request")),
    responses(
        (status = 200, description = "Rejected", body = LoginRequestDecision),
        (status = 404, description = "`login_request_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`login_request_decided`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/login-requests/{id}/reject")]
pub async fn reject(
    ctx: web::Data<ApiContext>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let redirect_to = flow::reject(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(LoginRequestDecision { redirect_to }))
}
