use actix_web::{delete, get, http::StatusCode, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    domain::email::mask,
    error::{ApiError, Problem},
    flows::bureaux::managers::{self as flow, BureauManager, Grant},
};

/// An account that may manage the bureau.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerView {
    #[schema(example = "rac.demo")]
    pub identifier: String,
    #[schema(example = "Jeanne MARTIN")]
    pub name: String,
    #[schema(example = "j…@cabinet.fr")]
    pub email_masked: String,
    /// Identifier of the responsable who granted it; absent when the regional council's import did.
    pub granted_by: Option<String>,
    pub granted_at: DateTime<Utc>,
}

/// The bureau's managers (RACs it is granted to; the firm's responsables see it by right).
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerList {
    pub items: Vec<ManagerView>,
}

/// A grant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRequest {
    /// Identifier of the account to grant the bureau to.
    #[schema(example = "rac.demo")]
    pub identifier: String,
}

impl From<Vec<BureauManager>> for ManagerList {
    fn from(managers: Vec<BureauManager>) -> Self {
        let items = managers
            .into_iter()
            .map(
                |BureauManager {
                     manager: m,
                     granted_by_identifier,
                 }| ManagerView {
                    name: format!("{} {}", m.first_name, m.last_name.to_uppercase()),
                    email_masked: mask(&m.email),
                    identifier: m.identifier,
                    granted_by: granted_by_identifier,
                    granted_at: m.created_at.and_utc(),
                },
            )
            .collect();
        Self { items }
    }
}

/// Who may manage a bureau. Visible to those who may see the bureau; under its region like the
/// other bureau routes, so the region's email conflict must be resolved first.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("ref" = String, Path, description = "Ref établissement")),
    responses(
        (status = 200, description = "The managers", body = ManagerList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found` (also for a bureau of another region)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[get("/portal/regions/{code}/bureaux/{ref}/managers")]
pub async fn list_managers(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref) = path.into_inner();
    let managers = flow::list_managers(&ctx, &auth, region_code, bureau_ref).await?;
    Ok(HttpResponse::Ok().json(ManagerList::from(managers)))
}

/// A responsable of the firm grants the bureau to an account (a RAC), by identifier.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("ref" = String, Path, description = "Ref établissement")),
    request_body = GrantRequest,
    responses(
        (status = 201, description = "Granted; the managers", body = ManagerList),
        (status = 200, description = "Already granted; the managers", body = ManagerList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`not_responsable`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found` or `account_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[post("/portal/regions/{code}/bureaux/{ref}/managers")]
pub async fn grant_manager(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
    body: web::Json<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref) = path.into_inner();
    let identifier = body.into_inner().identifier;
    let (grant, managers) =
        flow::grant_manager(&ctx, &auth, region_code, bureau_ref, identifier).await?;
    let status = match grant {
        Grant::Granted => StatusCode::CREATED,
        Grant::AlreadyGranted => StatusCode::OK,
    };
    Ok(HttpResponse::build(status).json(ManagerList::from(managers)))
}

/// A responsable of the firm revokes an account's management of the bureau.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("ref" = String, Path, description = "Ref établissement"), ("identifier" = String, Path, description = "The manager's identifier")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`not_responsable`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, or `manager_not_found` when the account does not manage it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[delete("/portal/regions/{code}/bureaux/{ref}/managers/{identifier}")]
pub async fn revoke_manager(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref, identifier) = path.into_inner();
    flow::revoke_manager(&ctx, &auth, region_code, bureau_ref, identifier).await?;
    Ok(HttpResponse::NoContent().finish())
}
