use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    bureau_detail::AttachedPersonView,
    contributions::{bureau_of, campaign_of},
    region_access, Money,
};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    contributions::persons::{self, Person},
    db::{self, portal},
    error::{ApiError, FieldIssue, Problem},
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
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    let view = ctx
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let (bureau, _) = bureau_of(conn, &access, &region_code, &bureau_ref)?;
                let campaign = campaign_of(&access)?;
                let attachment = persons::attach(conn, &campaign, &bureau.id, &person, db::now())?;
                let attached = portal::attached_persons(conn, &campaign.id, &bureau.id)?
                    .into_iter()
                    .find(|p| p.attachment_id == attachment.id)
                    .ok_or_else(|| ApiError::internal("attached person not found"))?;
                Ok(AttachedPersonView {
                    id: attached.attachment_id,
                    person_kind: attached.person_kind,
                    name: attached.name,
                    reference: attached.reference,
                    declaration_state: attached.declaration_state,
                    amount_called: Money::eur(attached.called_cents),
                    amount_paid: Money::eur(attached.paid_cents),
                    declaration: None,
                })
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}
