use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    contributions::{bureau_of, campaign_of, declaration_views, person_of, DeclarationView},
    region_access,
};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::declarations::Declaration,
    error::{ApiError, Problem},
};

/// Every version of a person's declaration, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationHistory {
    pub items: Vec<DeclarationView>,
}

/// The audit trail of a person's declaration: every version, who wrote and submitted it, when,
/// the amount, and the reason of each correction.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Region code"),
        ("ref" = String, Path, description = "Ref établissement"),
        ("person" = String, Path, description = "The attached person's id"),
    ),
    responses(
        (status = 200, description = "The versions", body = DeclarationHistory),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, `person_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed` (the region has no campaign), `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[get("/portal/regions/{code}/bureaux/{ref}/persons/{person}/declarations")]
pub async fn declaration_history(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref, person_id) = path.into_inner();
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    let history = ctx
        .db
        .run(move |conn| {
            let (bureau, _) = bureau_of(conn, &access, &region_code, &bureau_ref)?;
            let campaign = campaign_of(&access)?;
            let person = person_of(conn, &person_id, &campaign, &bureau)?;
            let versions = Declaration::history(conn, &person.id)?;
            Ok(DeclarationHistory {
                items: declaration_views(conn, versions)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(history))
}
