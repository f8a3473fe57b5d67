use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{contributions::DeclarationView, Money};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::portal::AttachedPerson,
    domain::states::DeclarationState,
    error::{ApiError, Problem},
    flows::{bureaux::detail as flow, declarations::DeclarationVersion},
};

/// A person attached to the bureau for the campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachedPersonView {
    /// Attachment id (declarations refer to it).
    pub id: String,
    /// `PP` (natural person, a member) or `PM` (legal person, a firm).
    #[schema(example = "PP")]
    pub person_kind: String,
    #[schema(example = "DURAND Marie")]
    pub name: String,
    /// SUPRA number for a PP, firm reference for a PM.
    pub reference: String,
    /// `to_declare`, `draft` or `submitted`.
    #[schema(value_type = String, example = "submitted")]
    pub declaration_state: DeclarationState,
    pub amount_called: Money,
    pub amount_paid: Money,
    /// The current version of the declaration (draft or submitted), if one was saved.
    pub declaration: Option<DeclarationView>,
}

impl From<AttachedPerson> for AttachedPersonView {
    fn from(p: AttachedPerson) -> Self {
        Self {
            id: p.attachment_id,
            person_kind: p.person_kind,
            name: p.name,
            reference: p.reference,
            declaration_state: p.declaration_state,
            amount_called: Money::eur(p.called_cents),
            amount_paid: Money::eur(p.paid_cents),
            declaration: None,
        }
    }
}

impl From<(AttachedPerson, Option<DeclarationVersion>)> for AttachedPersonView {
    fn from((person, declaration): (AttachedPerson, Option<DeclarationVersion>)) -> Self {
        Self {
            declaration: declaration.map(DeclarationView::from),
            ..Self::from(person)
        }
    }
}

/// One bureau for the current campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct BureauDetail {
    pub r#ref: String,
    /// `PRINCIPAL` or `SECONDAIRE`.
    pub inscription_type: String,
    pub address: String,
    pub firm_ref: String,
    pub firm_name: String,
    pub campaign_year: Option<i32>,
    /// Declarations and payments are accepted only while the campaign is open.
    pub campaign_open: bool,
    /// Natural persons (PP), by name.
    pub natural_persons: Vec<AttachedPersonView>,
    /// Legal persons (PM), by name.
    pub legal_persons: Vec<AttachedPersonView>,
    pub remaining_pp: i64,
    pub remaining_pm: i64,
    pub total: Money,
    pub paid: Money,
    /// What remains to pay (negative when overpaid); pending payments are not deducted.
    pub balance: Money,
    /// Reserved by the pending payments that have a part for this bureau (a transfer not yet
    /// received, a card checkout not completed).
    pub pending: Money,
    /// What a payment of this bureau accepts now: `balance` − `pending`, never below zero.
    pub payable: Money,
}

/// One bureau: the natural and legal persons attached for the current campaign, their
/// declaration state, amounts called and paid, and the bureau's balance, what pending payments
/// reserve and what can be paid now.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("ref" = String, Path, description = "Ref établissement")),
    responses(
        (status = 200, description = "The bureau", body = BureauDetail),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, or `bureau_not_found` for a bureau the user may not see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[get("/portal/regions/{code}/bureaux/{ref}")]
pub async fn bureau_detail(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref) = path.into_inner();
    let flow::BureauDetail {
        bureau,
        firm,
        campaign,
        natural_persons,
        legal_persons,
        figures,
    } = flow::bureau_detail(&ctx, &auth, region_code, bureau_ref).await?;
    Ok(HttpResponse::Ok().json(BureauDetail {
        address: format!(
            "{}, {} {}",
            bureau.address_line, bureau.postal_code, bureau.city
        ),
        r#ref: bureau.bureau_ref,
        inscription_type: bureau.inscription_type,
        firm_ref: firm.firm_ref,
        firm_name: firm.name,
        campaign_year: campaign.as_ref().map(|c| c.year),
        campaign_open: campaign.as_ref().is_some_and(|c| c.is_open),
        natural_persons: natural_persons.into_iter().map(Into::into).collect(),
        legal_persons: legal_persons.into_iter().map(Into::into).collect(),
        remaining_pp: figures.remaining_pp,
        remaining_pm: figures.remaining_pm,
        total: Money::eur(figures.total_cents),
        paid: Money::eur(figures.paid_cents - figures.refunded_cents),
        balance: Money::eur(figures.balance_cents()),
        pending: Money::eur(figures.pending_cents),
        payable: Money::eur(figures.payable_cents()),
    }))
}
