use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::contributions::DeclarationView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::declarations::{history, PersonAt},
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
    let at = PersonAt {
        region_code,
        bureau_ref,
        person_id,
    };
    let versions = history::declaration_history(&ctx, &auth, at).await?;
    Ok(HttpResponse::Ok().json(DeclarationHistory {
        items: versions.into_iter().map(DeclarationView::from).collect(),
    }))
}
