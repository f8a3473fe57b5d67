use actix_web::{post, web, HttpResponse};

use super::contributions::DeclarationView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::declarations::{submit, PersonAt},
};

/// Submits the person's draft: its amount (computed again from the barème) is charged in the
/// ledger, with the bureau's fixed part if not yet called, and the declaration is locked.
/// Reste PP / Reste PM, Total and Solde of the dashboard follow at once.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Region code"),
        ("ref" = String, Path, description = "Ref établissement"),
        ("person" = String, Path, description = "The attached person's id"),
    ),
    responses(
        (status = 200, description = "The submitted declaration", body = DeclarationView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, `person_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed`, `declaration_locked` (already submitted), `no_draft`, `scale_missing`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[post("/portal/regions/{code}/bureaux/{ref}/persons/{person}/declaration/submission")]
pub async fn submit_declaration(
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
    let submitted = submit::submit_declaration(&ctx, &auth, at).await?;
    Ok(HttpResponse::Ok().json(DeclarationView::from(submitted)))
}
