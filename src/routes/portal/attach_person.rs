use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::bureau_detail::AttachedPersonView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    contributions::persons::Person,
    error::{ApiError, FieldIssue, Problem},
    flows::declarations::attach_person as flow,
    i18n::Text,
};

/// Who to attach: a member by SUPRA number, or a firm by reference (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachRequest {
    /// A member of the register (natural person, PP).
    #[schema(example = "12345678")]
    pub supra_number: Option<String>,
    /// A firm (legal person, PM).
    pub firm_ref: Option<String>,
}

/// Attaches a member (PP) or a firm (PM) to the bureau for the open campaign: a member who
/// joined or moved here. The person is then "to declare".
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("ref" = String, Path, description = "Ref établissement")),
    request_body = AttachRequest,
    responses(
        (status = 201, description = "Attached", body = AttachedPersonView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, `member_not_found`, `firm_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed`, `already_attached`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 422, description = "`validation_failed`: give exactly one of `supra_number` and `firm_ref`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/portal/regions/{code}/bureaux/{ref}/persons")]
pub async fn attach_person(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
    body: web::Json<AttachRequest>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref) = path.into_inner();
    let person = match body.into_inner() {
        AttachRequest {
            supra_number: Some(supra_number),
            firm_ref: None,
        } => Person::Member {
            supra_number: supra_number.trim().to_owned(),
        },
        AttachRequest {
            supra_number: None,
            firm_ref: Some(firm_ref),
        } => Person::Firm {
            firm_ref: firm_ref.trim().to_owned(),
        },
        _ => {
            return Err(ApiError::validation(vec![FieldIssue::new(
            "supra_number",
            "one_of",
            Text::new(
                "Indiquez soit supra_number (personne physique), soit firm_ref (personne morale).",
                "Give either supra_number (natural person) or firm_ref (legal person).",
            ),
        )]))
        }
    };
    let attached = flow::attach_person(&ctx, &auth, region_code, bureau_ref, person).await?;
    Ok(HttpResponse::Created().json(AttachedPersonView::from(attached)))
}
