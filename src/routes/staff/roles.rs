//! The administrators' endpoints on staff roles (`/v1/staff/roles`), role `administrator`.

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::StaffRoleView;
use crate::{
    context::ApiContext,
    domain::states::StaffRoleKind,
    error::{ApiError, Problem},
    flows::staff::{roles as flow, Actor},
};

/// Every staff role.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffRoleList {
    /// By identifier.
    pub items: Vec<StaffRoleView>,
}

/// Every role granted, with its account's identifier.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The roles", body = StaffRoleList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/roles")]
pub async fn list_roles(
    ctx: web::Data<ApiContext>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    let items = flow::list(&ctx, &actor)
        .await?
        .into_iter()
        .map(|(role, identifier)| StaffRoleView::of(role, Some(identifier)))
        .collect();
    Ok(HttpResponse::Ok().json(StaffRoleList { items }))
}

/// A role to grant or revoke.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleGrant {
    /// The account's identifier.
    #[schema(example = "mdurand")]
    pub identifier: String,
    /// `support`, `council` or `administrator`.
    #[schema(example = "council")]
    pub role: String,
    /// The region of a council role; none for the national roles.
    #[schema(example = "IDF")]
    pub region_code: Option<String>,
}

/// Grant a role to an account: 201 with the new grant, 200 with the existing one when the account
/// already held it.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = RoleGrant,
    responses(
        (status = 201, description = "Granted", body = StaffRoleView),
        (status = 200, description = "Already held: nothing changed", body = StaffRoleView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, `region_not_found`, or `not_found`: the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a council role without region, or a national one with", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/roles")]
pub async fn grant_role(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    body: web::Json<RoleGrant>,
) -> Result<HttpResponse, ApiError> {
    let RoleGrant {
        identifier,
        role,
        region_code,
    } = body.into_inner();
    let role = StaffRoleKind::parse(&role).map_err(|_| {
        ApiError::validation(vec![crate::error::FieldIssue::new(
            "role",
            "one_of",
            crate::i18n::Text::new(
                "Le rôle est support, council ou administrator.",
                "The role is support, council or administrator.",
            ),
        )])
    })?;
    let (granted, new) = flow::grant(&ctx, &actor, identifier.clone(), role, region_code).await?;
    let view = StaffRoleView::of(granted, Some(identifier));
    Ok(if new {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Revoke a role (by its id): it stops working at the holder's next staff request.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The role's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such role, or the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/staff/roles/{id}")]
pub async fn revoke_role(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::revoke_by_id(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
