use actix_web::{put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::contributions::DeclarationView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::declarations::{save, DeclarationInput, PersonAt},
};

/// What is declared: for a natural person (PP) the category, and the new-member year when a
/// reduction applies; for a legal person (PM) the average headcount of the previous year.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationRequest {
    /// PP: `independant`, `salarie`, `agc_83ter` (70 % of the salarié amount), `agc_83quater`
    /// (50 %) or `honoraire` (exempt).
    #[schema(example = "independant")]
    pub category: Option<String>,
    /// PP: 1 when the campaign year is the member's year of registration, 2 the year after
    /// (new-member reductions); checked against the register.
    pub new_member_year: Option<i32>,
    /// PM: the firm's average headcount of the previous year, at most two decimals.
    #[schema(example = "12.50")]
    pub average_headcount: Option<String>,
}

/// Saves the person's declaration as a draft (creating it or replacing the draft), with the
/// amount computed from the campaign's barème. Nothing is charged until it is submitted. A
/// submitted declaration is locked: change it with a correction.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Region code"),
        ("ref" = String, Path, description = "Ref établissement"),
        ("person" = String, Path, description = "The attached person's id"),
    ),
    request_body = DeclarationRequest,
    responses(
        (status = 200, description = "The draft", body = DeclarationView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, `person_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed`, `declaration_locked`, `scale_missing`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 422, description = "`validation_failed` (fields that do not fit the person), `invalid_body`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/portal/regions/{code}/bureaux/{ref}/persons/{person}/declaration")]
pub async fn save_declaration(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String, String)>,
    body: web::Json<DeclarationRequest>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref, person_id) = path.into_inner();
    let DeclarationRequest {
        category,
        new_member_year,
        average_headcount,
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
    let draft = save::save_declaration(&ctx, &auth, at, input).await?;
    Ok(HttpResponse::Ok().json(DeclarationView::from(draft)))
}
