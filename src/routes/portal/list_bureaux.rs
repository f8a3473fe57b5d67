use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Money;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{portal::BureauFigures, registry::Bureau, versions::Scope},
    error::{ApiError, Problem},
    flows::bureaux::dashboard::{self as flow, Dashboard, FirmBureaux},
};

/// Pagination by firm.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BureauPageQuery {
    /// Firms per page, 1 to 100 (default 50); a firm's bureaux are never split across pages.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The figures of a firm or of the whole region for the current campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Figures {
    /// "Reste PP": natural persons still to declare.
    pub remaining_pp: i64,
    /// "Reste PM": legal persons still to declare.
    pub remaining_pm: i64,
    /// "Total": amount called.
    pub total: Money,
    /// "Solde": what remains to pay (negative when overpaid). Pending payments are not deducted:
    /// they are booked only once confirmed.
    pub balance: Money,
    /// What payments still pending (a transfer not yet received, a card checkout not completed)
    /// reserve: it cannot be paid a second time meanwhile.
    pub pending: Money,
    /// What can be paid now: `balance` − `pending`, never below zero. A firm's is what its
    /// grouped payment accepts at most (a credit of one bureau counts against another's debt);
    /// the region's adds up its firms' (one firm's credit never pays for another firm).
    pub payable: Money,
}

impl Figures {
    /// The figures of bureaux paid together, whose `payable` nets their credits and debts.
    pub fn of(f: &BureauFigures) -> Self {
        Self {
            remaining_pp: f.remaining_pp,
            remaining_pm: f.remaining_pm,
            total: Money::eur(f.total_cents),
            balance: Money::eur(f.balance_cents()),
            pending: Money::eur(f.pending_cents),
            payable: Money::eur(f.payable_cents()),
        }
    }
}

/// One bureau row of the dashboard. The firm's "Montant regroupé" is `grouped_amount` on the
/// firm (it used to be repeated on every row).
#[derive(Debug, Serialize, ToSchema)]
pub struct BureauRow {
    /// "Ref établissement".
    #[schema(example = "B75-000123")]
    pub r#ref: String,
    /// `PRINCIPAL` or `SECONDAIRE`.
    #[schema(example = "PRINCIPAL")]
    pub inscription_type: String,
    #[schema(example = "12 rue de la Paix, 75002 Paris")]
    pub address: String,
    /// "Reste PP".
    pub remaining_pp: i64,
    /// "Reste PM".
    pub remaining_pm: i64,
    /// "Total".
    pub total: Money,
    /// "Solde" (negative when overpaid); pending payments are not deducted.
    pub balance: Money,
    /// Reserved by the pending payments that have a part for this bureau.
    pub pending: Money,
    /// What a payment of this bureau alone accepts now: `balance` − `pending`, never below zero.
    pub payable: Money,
}

/// A firm and its bureaux in the region.
#[derive(Debug, Serialize, ToSchema)]
pub struct FirmGroup {
    #[schema(example = "F-000042")]
    pub firm_ref: String,
    #[schema(example = "Cabinet Durand & Associés")]
    pub firm_name: String,
    /// "Montant regroupé": what one grouped payment of the firm's bureaux listed here settles,
    /// a credit of one bureau counted against another's debt: the firm's `balance`, never below
    /// zero. What pending payments already reserve is not deducted; `totals.payable` is what a
    /// grouped payment accepts now.
    pub grouped_amount: Money,
    pub bureaux: Vec<BureauRow>,
    /// The firm's totals in the region.
    pub totals: Figures,
}

/// "Tableau de bord régional": a page of firms.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionalDashboard {
    #[schema(example = "paris-ile-de-france")]
    pub region_code: String,
    /// Year of the current campaign.
    pub campaign_year: Option<i32>,
    pub campaign_open: bool,
    pub items: Vec<FirmGroup>,
    /// Totals over every bureau the user may manage in the region (all pages); `payable` adds up
    /// the firms' `payable`.
    pub totals: Figures,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// "Liste des bureaux que vous pouvez gérer": the bureaux of the region the user may manage,
/// grouped by firm, with Reste PP, Reste PM, Total, Solde, what pending payments reserve and what
/// can be paid now; per firm, its Montant regroupé (`grouped_amount`, on the firm, no longer on
/// each bureau row) and totals; overall totals. Amounts in cents, computed with grouped queries
/// over the ledger and the pending payments.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), BureauPageQuery),
    responses(
        (status = 200, description = "A page of the dashboard", body = RegionalDashboard),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 422, description = "`validation_failed`: limit out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/portal/regions/{code}/bureaux")]
pub async fn list_bureaux(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    code: web::Path<String>,
    query: web::Query<BureauPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let BureauPageQuery { limit, cursor } = query.into_inner();
    // Checked before the cache, so that the cache only ever holds valid pages.
    let limit = flow::page_size(limit)?;
    let region_code = code.into_inner();
    let view = format!(
        "bureaux/{region_code}?limit={limit}&cursor={}",
        cursor.as_deref().unwrap_or_default()
    );
    let cache = ctx.read_cache.clone();
    let account_id = auth.account_id.clone();
    // The caller's account gates the region (its email conflict); the region holds the rest.
    let region = region_code.clone();
    let scopes = [Scope::Account(&account_id), Scope::Region(&region)];
    cache
        .json(&account_id, view, &scopes, || async move {
            let page =
                flow::dashboard(&ctx, &auth, region_code.clone(), Some(limit as u32), cursor)
                    .await?;
            Ok(RegionalDashboard::of(region_code, page))
        })
        .await
}

impl RegionalDashboard {
    /// The view of a page of the dashboard of `region_code`.
    fn of(region_code: String, page: Dashboard) -> Self {
        let Dashboard {
            campaign,
            firms,
            overall,
            payable_cents,
            next_cursor,
        } = page;
        let mut totals = Figures::of(&overall);
        totals.payable = Money::eur(payable_cents);
        Self {
            region_code,
            campaign_year: campaign.as_ref().map(|c| c.year),
            campaign_open: campaign.as_ref().is_some_and(|c| c.is_open),
            items: firms.into_iter().map(FirmGroup::of).collect(),
            totals,
            next_cursor,
        }
    }
}

impl FirmGroup {
    fn of(firm: FirmBureaux) -> Self {
        Self {
            // A grouped payment settles what the firm's bureaux still owe, credits included.
            grouped_amount: Money::eur(firm.totals.balance_cents().max(0)),
            totals: Figures::of(&firm.totals),
            bureaux: firm.bureaux.iter().map(BureauRow::of).collect(),
            firm_ref: firm.firm_ref,
            firm_name: firm.firm_name,
        }
    }
}

impl BureauRow {
    fn of((bureau, f): &(Bureau, BureauFigures)) -> Self {
        Self {
            r#ref: bureau.bureau_ref.clone(),
            inscription_type: bureau.inscription_type.clone(),
            address: format!(
                "{}, {} {}",
                bureau.address_line, bureau.postal_code, bureau.city
            ),
            remaining_pp: f.remaining_pp,
            remaining_pm: f.remaining_pm,
            total: Money::eur(f.total_cents),
            balance: Money::eur(f.balance_cents()),
            pending: Money::eur(f.pending_cents),
            payable: Money::eur(f.payable_cents()),
        }
    }
}
