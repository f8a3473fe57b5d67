use actix_web::{delete, get, http::StatusCode, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{contributions::bureau_of, region_access, RegionAccess};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{self, accounts::Account, portal, registry::Bureau, DbConnection},
    domain::email::mask,
    error::{ApiError, ErrorCode, Problem},
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

/// The bureau if the caller may see it in this region, and whether they are a responsable of
/// its firm.
fn bureau_for(
    conn: &mut DbConnection,
    access: &RegionAccess,
    region_code: &str,
    bureau_ref: &str,
) -> Result<(Bureau, bool), ApiError> {
    let (bureau, _) = bureau_of(conn, access, region_code, bureau_ref)?;
    let responsable = match &access.viewer.member_id {
        Some(member_id) => portal::is_responsable(conn, member_id, &bureau.firm_id)?,
        None => false,
    };
    Ok((bureau, responsable))
}

fn not_responsable() -> ApiError {
    ApiError::of(ErrorCode::NotResponsable)
}

fn list(conn: &mut DbConnection, bureau_id: &str) -> Result<ManagerList, ApiError> {
    let managers = portal::managers(conn, bureau_id)?;
    // The grantors' identifiers in one query, not one per manager.
    let grantor_ids: Vec<String> = managers
        .iter()
        .filter_map(|m| m.granted_by.clone())
        .collect();
    let grantors = portal::identifiers_of(conn, &grantor_ids)?;
    let mut items = Vec::with_capacity(managers.len());
    for m in managers {
        let granted_by = m
            .granted_by
            .as_ref()
            .and_then(|id| grantors.get(id).cloned());
        items.push(ManagerView {
            name: format!("{} {}", m.first_name, m.last_name.to_uppercase()),
            email_masked: mask(&m.email),
            identifier: m.identifier,
            granted_by,
            granted_at: m.created_at.and_utc(),
        });
    }
    Ok(ManagerList { items })
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
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    let managers = ctx
        .db
        .run(move |conn| {
            let (bureau, _) = bureau_for(conn, &access, &region_code, &bureau_ref)?;
            list(conn, &bureau.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(managers))
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
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    let (created, managers) = ctx
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let (bureau, responsable) = bureau_for(conn, &access, &region_code, &bureau_ref)?;
                if !responsable {
                    return Err(not_responsable());
                }
                let grantee = Account::find_by_identifier(conn, &identifier)?
                    .filter(Account::is_active)
                    .ok_or_else(account_not_found)?;
                let created = portal::grant(
                    conn,
                    &bureau.id,
                    &grantee.id,
                    Some(&access.account.id),
                    db::now(),
                )?;
                Ok((created, list(conn, &bureau.id)?))
            })
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(managers))
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
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let (bureau, responsable) = bureau_for(conn, &access, &region_code, &bureau_ref)?;
                if !responsable {
                    return Err(not_responsable());
                }
                let manager = Account::find_by_identifier(conn, &identifier)?
                    .ok_or_else(manager_not_found)?;
                if !portal::revoke(conn, &bureau.id, &manager.id)? {
                    return Err(manager_not_found());
                }
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn account_not_found() -> ApiError {
    ApiError::of(ErrorCode::AccountNotFound)
}

fn manager_not_found() -> ApiError {
    ApiError::of(ErrorCode::ManagerNotFound)
}
