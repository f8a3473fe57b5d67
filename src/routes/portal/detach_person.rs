use actix_web::{delete, web, HttpResponse};

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::declarations::{detach_person as flow, PersonAt},
};

/// Detaches a person who is not declared (a member who left before being declared, or attached
/// by mistake); an unsubmitted draft goes with them. A declared person stays: correct the
/// declaration instead, since the ledger is never rewritten.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Region code"),
        ("ref" = String, Path, description = "Ref établissement"),
        ("person" = String, Path, description = "The attached person's id"),
    ),
    responses(
        (status = 204, description = "Detached"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, `person_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed`, `person_declared`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[delete("/portal/regions/{code}/bureaux/{ref}/persons/{person}")]
pub async fn detach_person(
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
    flow::detach_person(&ctx, &auth, at).await?;
    Ok(HttpResponse::NoContent().finish())
}
