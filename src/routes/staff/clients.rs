//! The sites of single sign-on, administered through the API (role `administrator`): OpenID
//! Connect clients (`/v1/staff/clients`) and CAS services (`/v1/staff/cas-services`), with the
//! rules of `comptexpert clients …` (README, "Connecting a site of the Ordre").

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    cas::services::{ServiceSpec, DEFAULT_ATTRIBUTES},
    context::ApiContext,
    db::{cas::CasService, oauth_clients::OAuthClient},
    error::{ApiError, Problem},
    flows::{
        clients::Registered,
        staff::{clients as flow, Actor},
    },
    oidc::clients::ClientSpec,
};

/// An OpenID Connect client.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    #[schema(example = "annuaire")]
    pub client_id: String,
    #[schema(example = "Annuaire de l'Ordre")]
    pub name: String,
    /// Confidential (a server holding a secret) or public (PKCE only).
    pub confidential: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// `RS256` or `EdDSA`.
    pub id_token_alg: String,
    pub access_token_seconds: i32,
    pub refresh_token_seconds: i32,
    /// Only in the answer that created it or renewed it: kept as a digest, shown once.
    pub client_secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ClientView {
    fn of(client: &OAuthClient, client_secret: Option<String>) -> Self {
        let owned = |items: Vec<&str>| items.into_iter().map(str::to_owned).collect();
        Self {
            client_id: client.client_id.clone(),
            name: client.name.clone(),
            confidential: client.confidential,
            redirect_uris: owned(client.redirect_uris()),
            post_logout_redirect_uris: owned(client.post_logout_redirect_uris()),
            scopes: owned(client.scopes()),
            backchannel_logout_uri: client.backchannel_logout_uri.clone(),
            id_token_alg: client.id_token_alg.clone(),
            access_token_seconds: client.access_token_seconds,
            refresh_token_seconds: client.refresh_token_seconds,
            client_secret,
            created_at: client.created_at.and_utc(),
            updated_at: client.updated_at.and_utc(),
        }
    }
}

impl From<Registered> for ClientView {
    fn from(r: Registered) -> Self {
        Self::of(&r.client, r.secret)
    }
}

/// A CAS service.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasServiceView {
    #[schema(example = "intranet")]
    pub service_id: String,
    pub name: String,
    /// Exact URLs, or prefixes ending in `/*`.
    pub patterns: Vec<String>,
    /// The attributes it may receive.
    pub attributes: Vec<String>,
    pub logout_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&CasService> for CasServiceView {
    fn from(s: &CasService) -> Self {
        let spec = ServiceSpec::of(s);
        Self {
            service_id: spec.service_id,
            name: spec.name,
            patterns: spec.patterns,
            attributes: spec.attributes,
            logout_url: spec.logout_url,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        }
    }
}

/// The sites of single sign-on.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteList {
    pub clients: Vec<ClientView>,
    pub cas_services: Vec<CasServiceView>,
}

/// Every OpenID Connect client and CAS service (never a secret).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sites", body = SiteList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/clients")]
pub async fn list_sites(
    ctx: web::Data<ApiContext>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    let (clients, services) = flow::list(&ctx, &actor).await?;
    Ok(HttpResponse::Ok().json(SiteList {
        clients: clients.iter().map(|c| ClientView::of(c, None)).collect(),
        cas_services: services.iter().map(CasServiceView::from).collect(),
    }))
}

fn default_true() -> bool {
    true
}
fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_alg() -> String {
    "RS256".into()
}
fn default_access() -> i32 {
    900
}
fn default_refresh() -> i32 {
    30 * 24 * 3600
}

/// What an OpenID Connect client is.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientRequest {
    #[schema(example = "Annuaire de l'Ordre")]
    pub name: String,
    /// Confidential (default) or public.
    #[serde(default = "default_true")]
    pub confidential: bool,
    /// Exact redirect URIs: `https`, `http` on loopback only, or a private-use scheme.
    #[schema(example = json!(["https://annuaire.example/callback"]))]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Default `openid profile email`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// `RS256` (default) or `EdDSA`.
    #[serde(default = "default_alg")]
    pub id_token_alg: String,
    /// Default 900.
    #[serde(default = "default_access")]
    pub access_token_seconds: i32,
    /// Default 30 days.
    #[serde(default = "default_refresh")]
    pub refresh_token_seconds: i32,
}

impl ClientRequest {
    fn spec(self, client_id: String) -> ClientSpec {
        ClientSpec {
            client_id,
            name: self.name,
            confidential: self.confidential,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            scopes: self.scopes,
            backchannel_logout_uri: self.backchannel_logout_uri,
            id_token_alg: self.id_token_alg,
            access_token_seconds: self.access_token_seconds,
            refresh_token_seconds: self.refresh_token_seconds,
        }
    }
}

/// A new OpenID Connect client.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewClientRequest {
    /// Letters, digits, `-`, `_`, `.`; unique among clients and CAS services.
    #[schema(example = "annuaire")]
    pub client_id: String,
    #[serde(flatten)]
    pub client: ClientRequest,
}

/// Register an OpenID Connect client. A confidential client's secret is in this answer only.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = NewClientRequest,
    responses(
        (status = 201, description = "Registered", body = ClientView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`client_id_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a redirect URI, a scope, a lifetime refused (the reason is given)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/clients")]
pub async fn register_client(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    body: web::Json<NewClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let NewClientRequest { client_id, client } = body.into_inner();
    let registered = flow::add_client(&ctx, &actor, client.spec(client_id)).await?;
    Ok(HttpResponse::Created().json(ClientView::from(registered)))
}

/// A client's new definition.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientUpdate {
    #[serde(flatten)]
    pub client: ClientRequest,
    /// Give a confidential client a new secret (the old one stops working at once).
    #[serde(default)]
    pub new_secret: bool,
}

/// Replace an OpenID Connect client's definition (its id stays). Its secret stays unless
/// `new_secret` is set (or it becomes confidential).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("client_id" = String, Path, description = "The client's id")),
    request_body = ClientUpdate,
    responses(
        (status = 200, description = "Stored", body = ClientView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such client, or the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/staff/clients/{client_id}")]
pub async fn update_client(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    client_id: web::Path<String>,
    body: web::Json<ClientUpdate>,
) -> Result<HttpResponse, ApiError> {
    let client_id = client_id.into_inner();
    let ClientUpdate { client, new_secret } = body.into_inner();
    let spec = client.spec(client_id.clone());
    let registered = flow::update_client(&ctx, &actor, client_id, spec, new_secret).await?;
    Ok(HttpResponse::Ok().json(ClientView::from(registered)))
}

/// Remove an OpenID Connect client or a CAS service: it can no longer sign anyone in.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("client_id" = String, Path, description = "The client's or service's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such site, or the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/staff/clients/{client_id}")]
pub async fn remove_site(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    client_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::remove(&ctx, &actor, client_id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn default_attributes() -> Vec<String> {
    DEFAULT_ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect()
}

/// What a CAS service is.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CasServiceRequest {
    #[schema(example = "Intranet de l'Ordre")]
    pub name: String,
    /// Exact URLs, or prefixes ending in `/*` (README, "Moving a site from today's CAS server").
    #[schema(example = json!(["https://intranet.example/cas/*"]))]
    pub patterns: Vec<String>,
    /// Of `firstName`, `lastName`, `displayName`, `email`, `supraNumber`, `qualite`,
    /// `qualiteLabel`, `regions`; default the first four.
    #[serde(default = "default_attributes")]
    pub attributes: Vec<String>,
    /// Where its SAML `LogoutRequest`s go.
    pub logout_url: Option<String>,
}

impl CasServiceRequest {
    fn spec(self, service_id: String) -> ServiceSpec {
        ServiceSpec {
            service_id,
            name: self.name,
            patterns: self.patterns,
            attributes: self.attributes,
            logout_url: self.logout_url,
        }
    }
}

/// A new CAS service.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCasServiceRequest {
    /// Unique among clients and CAS services.
    #[schema(example = "intranet")]
    pub service_id: String,
    #[serde(flatten)]
    pub service: CasServiceRequest,
}

/// Register a CAS service.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = NewCasServiceRequest,
    responses(
        (status = 201, description = "Registered", body = CasServiceView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`client_id_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a pattern or an attribute refused (the reason is given)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/cas-services")]
pub async fn register_cas_service(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    body: web::Json<NewCasServiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let NewCasServiceRequest {
        service_id,
        service,
    } = body.into_inner();
    let stored = flow::add_service(&ctx, &actor, service.spec(service_id)).await?;
    Ok(HttpResponse::Created().json(CasServiceView::from(&stored)))
}

/// Replace a CAS service's definition (its id stays).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("service_id" = String, Path, description = "The service's id")),
    request_body = CasServiceRequest,
    responses(
        (status = 200, description = "Stored", body = CasServiceView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such service, or the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/staff/cas-services/{service_id}")]
pub async fn update_cas_service(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    service_id: web::Path<String>,
    body: web::Json<CasServiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let service_id = service_id.into_inner();
    let spec = body.into_inner().spec(service_id.clone());
    let stored = flow::update_service(&ctx, &actor, service_id, spec).await?;
    Ok(HttpResponse::Ok().json(CasServiceView::from(&stored)))
}
