use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::contributions::DeclarationView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::declarations::{correct, DeclarationInput, PersonAt},
};

/// A correction: what is now declared, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// PP: the category (see the draft).
    #[schema(example = "salarie")]
    pub category: Option<String>,
    /// PP: 1 or 2 for a new-member reduction.
    pub new_member_year: Option<i32>,
    /// PM: the average headcount of the previous year.
    pub average_headcount: Option<String>,
    /// Why the submitted declaration is corrected (kept in the audit trail), 1 to 500 characters.
    #[schema(example = "Passage au salariat en janvier")]
    pub reason: String,
}

/// Corrects a submitted declaration: a new version is submitted at once with the reason given;
/// the previous one is superseded, its charge cancelled in the ledger (`charge_cancellation`)
/// and the new amount charged. The versions stay readable (audit trail).
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Region code"),
        ("ref" = String, Path, description = "Ref établissement"),
        ("person" = String, Path, description = "The attached person's id"),
    ),
    request_body = CorrectionRequest,
    responses(
        (status = 201, description = "The new submitted version", body = DeclarationView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, `person_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed`, `declaration_not_submitted`, `scale_missing`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 422, description = "`validation_failed`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/portal/regions/{code}/bureaux/{ref}/persons/{person}/declaration/corrections")]
pub async fn correct_declaration(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String, String)>,
    body: web::Json<CorrectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref, person_id) = path.into_inner();
    let CorrectionRequest {
        category,
        new_member_year,
        average_headcount,
        reason,
    } = body.into_inner();
    let at = PersonAt {
        region_code,
        bureau_ref,
        person_id,
    };
    let input = DeclarationInput {
        category,
        new_member_year,
        average_headcount,
    };
    let corrected = correct::correct_declaration(&ctx, &auth, at, input, &reason).await?;
    Ok(HttpResponse::Created().json(DeclarationView::from(corrected)))
}
