//! A regional council's endpoints (`/v1/staff/regions/{code}/…`), role `council` for that
//! region (the barème also to administrators). A region the caller does not hold is 404.

use actix_web::{
    delete, get,
    http::{header, StatusCode},
    post, put, web, HttpRequest, HttpResponse,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::french_csv;
use crate::{
    context::ApiContext,
    db::{
        council::{CampaignDates, LedgerLine, RefusedEvent},
        payments::Payment,
        portal::Manager,
        scales::Upserted,
    },
    domain::states::{LedgerEntryKind, PaymentStatus, WebhookOutcome},
    error::{ApiError, ErrorCode, Problem},
    flows::staff::{
        council::{self as flow, Booking, BureauLine},
        Actor,
    },
    idempotency,
    routes::portal::{list_bureaux::Figures, Money},
};

/// A campaign of the region.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    #[schema(example = 2026)]
    pub year: i32,
    /// Open: declarations and payments are accepted.
    pub is_open: bool,
    /// When the call for contributions goes out.
    pub opens_on: Option<NaiveDate>,
    /// The date by which contributions are due.
    pub closes_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

impl From<CampaignDates> for CampaignView {
    fn from(c: CampaignDates) -> Self {
        Self {
            year: c.year,
            is_open: c.is_open,
            opens_on: c.opens_on,
            closes_on: c.closes_on,
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// The region's campaigns.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    /// Newest year first.
    pub items: Vec<CampaignView>,
}

/// The region's campaigns with their state and dates.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The region's code")),
    responses(
        (status = 200, description = "The campaigns", body = CampaignList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/campaigns")]
pub async fn list_region_campaigns(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let items = flow::campaigns(&ctx, &actor, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(CampaignList {
        items: items.into_iter().map(CampaignView::from).collect(),
    }))
}

/// A campaign's state and dates.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CampaignChange {
    pub is_open: bool,
    #[schema(example = "2026-01-15")]
    pub opens_on: Option<NaiveDate>,
    #[schema(example = "2026-03-31")]
    pub closes_on: Option<NaiveDate>,
}

/// Open, close or date the campaign of a year (created when the region has none). Opening a
/// campaign whose barème is loaded calls the fixed part of every bureau.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("year" = i32, Path, description = "The campaign's year"),
    ),
    request_body = CampaignChange,
    responses(
        (status = 200, description = "The campaign as stored", body = CampaignView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a year out of range, dates out of order", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/staff/regions/{code}/campaigns/{year}")]
pub async fn put_region_campaign(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, i32)>,
    body: web::Json<CampaignChange>,
) -> Result<HttpResponse, ApiError> {
    let (code, year) = path.into_inner();
    let CampaignChange {
        is_open,
        opens_on,
        closes_on,
    } = body.into_inner();
    let stored = flow::put_campaign(&ctx, &actor, code, year, is_open, opens_on, closes_on).await?;
    Ok(HttpResponse::Ok().json(CampaignView::from(stored)))
}

/// What a barème upload did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScaleUpload {
    /// `inserted` (the year had none), `updated` (figures replaced) or `unchanged`.
    pub outcome: String,
    /// Bureaux whose fixed part was called or changed (the campaign is open).
    pub fixed_parts_called: usize,
}

/// Upload the barème of the region for a year: the CSV of `scales.csv` (README, "The barème
/// (scale) CSV"), comma- or semicolon-separated, one row for this region and year. It loads
/// whole or not at all; a refused file names its line.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("year" = i32, Path, description = "The campaign's year"),
    ),
    request_body(content = String, content_type = "text/csv", description = "A header line and one row"),
    responses(
        (status = 200, description = "Loaded", body = ScaleUpload),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is neither the region's council nor an administrator; `region_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: the file, with the line refused; nothing was saved", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/staff/regions/{code}/scales/{year}")]
pub async fn upload_region_scale(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, i32)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (code, year) = path.into_inner();
    let done = flow::upload_scale(&ctx, &actor, code, year, body.to_vec()).await?;
    Ok(HttpResponse::Ok().json(ScaleUpload {
        outcome: match done.outcome {
            Upserted::Inserted => "inserted",
            Upserted::Updated => "updated",
            Upserted::Unchanged => "unchanged",
        }
        .to_owned(),
        fixed_parts_called: done.fixed_parts_called,
    }))
}

/// Which campaign.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// The campaign's year (the region's latest by default).
    pub year: Option<i32>,
}

/// Which bureaux.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BureauxQuery {
    /// The campaign's year (the region's latest by default).
    pub year: Option<i32>,
    /// Only the bureaux of this firm.
    pub firm_ref: Option<String>,
}

/// A bureau of the region with its figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilBureauView {
    #[schema(example = "B0000001")]
    pub bureau_ref: String,
    /// `PRINCIPAL` or `SECONDAIRE`.
    pub inscription_type: String,
    pub city: String,
    pub firm_ref: String,
    pub firm_name: String,
    /// Persons attached for the campaign.
    pub persons: i64,
    /// Every attached person declared.
    pub declared: bool,
    pub figures: Figures,
    /// Received, before refunds.
    pub paid: Money,
    pub refunded: Money,
}

impl From<&BureauLine> for CouncilBureauView {
    fn from(line: &BureauLine) -> Self {
        let f = &line.figures;
        Self {
            bureau_ref: line.bureau.bureau_ref.clone(),
            inscription_type: line.bureau.inscription_type.clone(),
            city: line.bureau.city.clone(),
            firm_ref: line.firm.firm_ref.clone(),
            firm_name: line.firm.name.clone(),
            persons: line.persons,
            declared: line.persons > 0 && f.remaining_pp == 0 && f.remaining_pm == 0,
            figures: Figures::of(f),
            paid: Money::eur(f.paid_cents),
            refunded: Money::eur(f.refunded_cents),
        }
    }
}

/// The region's bureaux for a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilBureauList {
    pub campaign_year: i32,
    /// By firm, principal bureau first.
    pub items: Vec<CouncilBureauView>,
}

/// The region's firms and bureaux with their balances and declaration progress.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The region's code"), BureauxQuery),
    responses(
        (status = 200, description = "The bureaux", body = CouncilBureauList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/bureaux")]
pub async fn list_region_bureaux(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    code: web::Path<String>,
    query: web::Query<BureauxQuery>,
) -> Result<HttpResponse, ApiError> {
    let BureauxQuery { year, firm_ref } = query.into_inner();
    let (campaign, lines) = flow::bureaux(&ctx, &actor, code.into_inner(), year, firm_ref).await?;
    Ok(HttpResponse::Ok().json(CouncilBureauList {
        campaign_year: campaign.year,
        items: lines.iter().map(CouncilBureauView::from).collect(),
    }))
}

/// An entry of a bureau's ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryView {
    pub id: String,
    /// `charge`, `charge_cancellation`, `payment` or `refund`.
    #[schema(value_type = String, example = "refund")]
    pub kind: LedgerEntryKind,
    pub amount: Money,
    /// `bureau_fixed_part`, `council_refund`, `council_credit`, `transfer_received`, or the
    /// reference of a payment.
    pub reference: Option<String>,
    /// Why the council booked it.
    pub reason: Option<String>,
    /// The account id of the council member who booked it.
    pub booked_by: Option<String>,
    pub payment_id: Option<String>,
    pub declaration_id: Option<String>,
    pub booked_at: DateTime<Utc>,
}

impl From<LedgerLine> for LedgerEntryView {
    fn from(l: LedgerLine) -> Self {
        Self {
            id: l.id,
            kind: l.kind,
            amount: Money::eur(l.amount_cents),
            reference: l.reference,
            reason: l.reason,
            booked_by: l.booked_by,
            payment_id: l.payment_id,
            declaration_id: l.declaration_id,
            booked_at: l.created_at.and_utc(),
        }
    }
}

/// A manager of a bureau, as the council sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilManagerView {
    pub identifier: String,
    pub name: String,
    pub email: String,
    /// The account id of whoever granted it (absent for the import).
    pub granted_by: Option<String>,
    pub granted_at: DateTime<Utc>,
}

impl From<Manager> for CouncilManagerView {
    fn from(m: Manager) -> Self {
        Self {
            name: format!("{} {}", m.first_name, m.last_name.to_uppercase()),
            identifier: m.identifier,
            email: m.email,
            granted_by: m.granted_by,
            granted_at: m.created_at.and_utc(),
        }
    }
}

/// A bureau with its ledger and its managers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilBureauAccount {
    pub campaign_year: i32,
    pub bureau: CouncilBureauView,
    /// Oldest first.
    pub ledger: Vec<LedgerEntryView>,
    pub managers: Vec<CouncilManagerView>,
}

/// A bureau of the region: its figures, its ledger for the campaign and the accounts it is
/// granted to.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("bureau_ref" = String, Path, description = "The bureau's reference"),
        CampaignQuery,
    ),
    responses(
        (status = 200, description = "The bureau", body = CouncilBureauAccount),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `bureau_not_found`, `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/bureaux/{bureau_ref}")]
pub async fn region_bureau_account(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, String)>,
    query: web::Query<CampaignQuery>,
) -> Result<HttpResponse, ApiError> {
    let (code, bureau_ref) = path.into_inner();
    let account = flow::bureau_account(&ctx, &actor, code, bureau_ref, query.year).await?;
    Ok(HttpResponse::Ok().json(CouncilBureauAccount {
        campaign_year: account.campaign.year,
        bureau: CouncilBureauView::from(&account.line),
        ledger: account
            .ledger
            .into_iter()
            .map(LedgerEntryView::from)
            .collect(),
        managers: account
            .managers
            .into_iter()
            .map(CouncilManagerView::from)
            .collect(),
    }))
}

/// The accounts a bureau is granted to.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilManagerList {
    pub items: Vec<CouncilManagerView>,
}

/// The accounts a bureau of the region is granted to.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("bureau_ref" = String, Path, description = "The bureau's reference"),
    ),
    responses(
        (status = 200, description = "The managers", body = CouncilManagerList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `bureau_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/bureaux/{bureau_ref}/managers")]
pub async fn list_region_bureau_managers(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, bureau_ref) = path.into_inner();
    let managers = flow::managers(&ctx, &actor, code, bureau_ref).await?;
    Ok(HttpResponse::Ok().json(CouncilManagerList {
        items: managers.into_iter().map(CouncilManagerView::from).collect(),
    }))
}

/// The account to grant a bureau to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BureauGrant {
    #[schema(example = "rac.demo")]
    pub identifier: String,
}

/// Grant a bureau of the region to an account (a RAC, usually): it sees the bureau in its
/// portal. `201` when granted now, `200` when it already was.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("bureau_ref" = String, Path, description = "The bureau's reference"),
    ),
    request_body = BureauGrant,
    responses(
        (status = 201, description = "Granted", body = CouncilManagerList),
        (status = 200, description = "Already granted", body = CouncilManagerList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `bureau_not_found`, `account_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/regions/{code}/bureaux/{bureau_ref}/managers")]
pub async fn grant_region_bureau(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: web::Json<BureauGrant>,
) -> Result<HttpResponse, ApiError> {
    let (code, bureau_ref) = path.into_inner();
    let (granted, managers) =
        flow::grant_bureau(&ctx, &actor, code, bureau_ref, body.into_inner().identifier).await?;
    let list = CouncilManagerList {
        items: managers.into_iter().map(CouncilManagerView::from).collect(),
    };
    Ok(if granted {
        HttpResponse::Created().json(list)
    } else {
        HttpResponse::Ok().json(list)
    })
}

/// Revoke the grant of a bureau of the region to an account.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("bureau_ref" = String, Path, description = "The bureau's reference"),
        ("identifier" = String, Path, description = "The account's identifier"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `bureau_not_found`, `manager_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/staff/regions/{code}/bureaux/{bureau_ref}/managers/{identifier}")]
pub async fn revoke_region_bureau(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, bureau_ref, identifier) = path.into_inner();
    flow::revoke_bureau(&ctx, &actor, code, bureau_ref, identifier).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What the council books.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingKind {
    /// Money given back to the payer: the Solde grows by the amount.
    Refund,
    /// An amount forgiven (an avoir): what is called, and the Solde, shrink by the amount.
    Credit,
    /// A bank transfer received that no payment of the portal announced: the Solde shrinks.
    TransferReceived,
}

/// An entry to book on a bureau.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BookingRequest {
    pub kind: BookingKind,
    /// Positive, in cents.
    #[schema(example = 5000)]
    pub amount_cents: i64,
    /// Why (1 to 500 characters), kept with the entry and in the audit log.
    #[schema(example = "Double paiement du 12 mars, remboursé par virement")]
    pub reason: String,
    /// The campaign's year (the region's latest by default).
    pub year: Option<i32>,
}

/// What was booked, and the bureau's figures after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingDone {
    pub entry: LedgerEntryView,
    pub figures: Figures,
}

/// Book a refund, a credit or a transfer received on a bureau of the region, with its reason.
/// A refund never exceeds what the bureau paid less what was already refunded, a credit what it
/// still owes. Requires `Idempotency-Key`: a retry with the same key and body replays the first
/// answer (`Idempotent-Replayed: true`) and never books twice.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("bureau_ref" = String, Path, description = "The bureau's reference"),
        ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters, chosen by the client for this booking"),
    ),
    request_body = BookingRequest,
    responses(
        (status = 201, description = "Booked", body = BookingDone),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `bureau_not_found`, `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`refund_exceeds_received`, `credit_exceeds_balance`, `idempotency_key_reused`, `idempotency_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: an amount or a reason out of range, a malformed key", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`idempotency_key_required`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/regions/{code}/bureaux/{bureau_ref}/ledger-entries")]
pub async fn book_region_entry(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: web::Json<BookingRequest>,
) -> Result<HttpResponse, ApiError> {
    let (code, bureau_ref) = path.into_inner();
    let request = body.into_inner();
    let fingerprint = serde_json::to_vec(&(req.path(), &request)).unwrap_or_default();
    let key = scoped_key(&req, &actor)?;
    let shared = ctx.clone();
    idempotency::once(
        &shared,
        "POST /v1/staff/ledger-entries",
        Some(key),
        &fingerprint,
        || async move {
            let booking = match request.kind {
                BookingKind::Refund => Booking::Refund,
                BookingKind::Credit => Booking::Credit,
                BookingKind::TransferReceived => Booking::TransferReceived,
            };
            let (entry, figures) = flow::book(
                &ctx,
                &actor,
                code,
                bureau_ref,
                request.year,
                booking,
                request.amount_cents,
                request.reason,
            )
            .await?;
            let done = BookingDone {
                entry: LedgerEntryView::from(entry),
                figures: Figures::of(&figures),
            };
            Ok((
                StatusCode::CREATED,
                serde_json::to_value(done).map_err(ApiError::internal)?,
            ))
        },
    )
    .await
}

/// The caller's `Idempotency-Key` (required), scoped to its account: one staff member's key never
/// replays another's answer.
fn scoped_key(req: &HttpRequest, actor: &Actor) -> Result<String, ApiError> {
    let key =
        idempotency::key_of(req)?.ok_or_else(|| ApiError::of(ErrorCode::IdempotencyKeyRequired))?;
    Ok(format!("{}:{key}", actor.auth.account_id))
}

/// The transfer received for a pending payment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TransferReceipt {
    /// What the bank credited, in cents: the payment's amount.
    pub amount_cents: i64,
    /// A note (1 to 500 characters): the bank statement's line, the date of value.
    #[schema(example = "Relevé du 14/03, virement CE-2026-K7Q4-M2ZP")]
    pub reason: String,
}

/// A payment, as the council sees it after recording its transfer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilPaymentView {
    pub id: String,
    #[schema(value_type = String, example = "confirmed")]
    pub status: PaymentStatus,
    pub method: String,
    pub amount: Money,
    pub transfer_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<Payment> for CouncilPaymentView {
    fn from(p: Payment) -> Self {
        Self {
            id: p.id,
            status: p.status,
            method: p.method,
            amount: Money::eur(p.amount_cents),
            transfer_reference: p.transfer_reference,
            created_at: p.created_at.and_utc(),
            confirmed_at: p.confirmed_at.map(|t| t.and_utc()),
        }
    }
}

/// Record the bank transfer of a pending payment of the region as received: the payment is
/// confirmed and booked, as the bank's notification would do. Requires `Idempotency-Key`, as a
/// booking does.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("id" = String, Path, description = "The payment's id"),
        ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters, chosen by the client for this receipt"),
    ),
    request_body = TransferReceipt,
    responses(
        (status = 200, description = "Confirmed", body = CouncilPaymentView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `payment_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`payment_not_pending`, `payment_not_a_transfer`, `idempotency_key_reused`, `idempotency_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`transfer_amount_mismatch`, `validation_failed`", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`idempotency_key_required`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/regions/{code}/payments/{id}/transfer-received")]
pub async fn record_transfer_received(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: web::Json<TransferReceipt>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let request = body.into_inner();
    let fingerprint = serde_json::to_vec(&(req.path(), &request)).unwrap_or_default();
    let key = scoped_key(&req, &actor)?;
    let shared = ctx.clone();
    idempotency::once(
        &shared,
        "POST /v1/staff/transfer-received",
        Some(key),
        &fingerprint,
        || async move {
            let payment = flow::transfer_received(
                &ctx,
                &actor,
                code,
                id,
                request.amount_cents,
                request.reason,
            )
            .await?;
            Ok((
                StatusCode::OK,
                serde_json::to_value(CouncilPaymentView::from(payment))
                    .map_err(ApiError::internal)?,
            ))
        },
    )
    .await
}

/// Which refused notifications.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Include those already resolved.
    pub resolved: Option<bool>,
}

/// A payment notification that was refused, to resolve.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedEventView {
    pub provider: String,
    pub event_id: String,
    /// `payment.succeeded` or `payment.failed`.
    pub event_type: String,
    /// `amount_mismatch`, `not_pending` or `unknown_payment`.
    #[schema(value_type = String, example = "amount_mismatch")]
    pub outcome: WebhookOutcome,
    /// The payment it named (absent when no payment has its reference).
    pub payment_id: Option<String>,
    pub payment_reference: Option<String>,
    /// Why it was refused.
    pub detail: Option<String>,
    pub received_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The account id of whoever resolved it.
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

impl From<RefusedEvent> for RefusedEventView {
    fn from(e: RefusedEvent) -> Self {
        Self {
            provider: e.provider,
            event_id: e.event_id,
            event_type: e.event_type,
            outcome: e.outcome,
            payment_id: e.payment_id,
            payment_reference: e.payment_reference,
            detail: e.detail,
            received_at: e.received_at.and_utc(),
            resolved_at: e.resolved_at.map(|t| t.and_utc()),
            resolved_by: e.resolved_by,
            resolution: e.resolution,
        }
    }
}

/// Refused notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedEventList {
    /// Newest first, at most 200.
    pub items: Vec<RefusedEventView>,
}

/// The payment notifications refused for the region's payments (wrong amount, payment no
/// longer pending) and those naming no known payment, unresolved ones unless `resolved=true`.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The region's code"), EventsQuery),
    responses(
        (status = 200, description = "The notifications", body = RefusedEventList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/webhook-events")]
pub async fn list_refused_events(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    code: web::Path<String>,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let events = flow::refused_events(
        &ctx,
        &actor,
        code.into_inner(),
        query.resolved.unwrap_or(false),
    )
    .await?;
    Ok(HttpResponse::Ok().json(RefusedEventList {
        items: events.into_iter().map(RefusedEventView::from).collect(),
    }))
}

/// How a refused notification was resolved.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EventResolution {
    /// 1 to 500 characters.
    #[schema(example = "Écart de 2 € : transfert enregistré sur le bureau B0000001")]
    pub resolution: String,
}

/// Mark a refused notification resolved, saying what was done (a transfer recorded, a refund
/// booked, the payer contacted).
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "The region's code"),
        ("provider" = String, Path, description = "The provider that sent it"),
        ("event_id" = String, Path, description = "The provider's id of the event"),
    ),
    request_body = EventResolution,
    responses(
        (status = 200, description = "Resolved", body = RefusedEventView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such refused notification for the region, or the caller is not its council", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`event_already_resolved`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/regions/{code}/webhook-events/{provider}/{event_id}/resolution")]
pub async fn resolve_refused_event(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, String, String)>,
    body: web::Json<EventResolution>,
) -> Result<HttpResponse, ApiError> {
    let (code, provider, event_id) = path.into_inner();
    let event = flow::resolve_event(
        &ctx,
        &actor,
        code,
        provider,
        event_id,
        body.into_inner().resolution,
    )
    .await?;
    Ok(HttpResponse::Ok().json(RefusedEventView::from(event)))
}

fn csv_answer(filename: String, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

fn cents(value: i64) -> String {
    // Euros with a decimal comma, as a French spreadsheet reads a number.
    let sign = if value < 0 { "-" } else { "" };
    let value = value.unsigned_abs();
    format!("{sign}{},{:02}", value / 100, value % 100)
}

/// Export the declarations of a campaign as CSV for a French spreadsheet (UTF-8 with a BOM,
/// `;`, amounts in euros with a decimal comma): one line per person attached, with its current
/// version.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The region's code"), CampaignQuery),
    responses(
        (status = 200, description = "The declarations as CSV", body = String, content_type = "text/csv"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/exports/declarations")]
pub async fn export_region_declarations(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    code: web::Path<String>,
    query: web::Query<CampaignQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let (campaign, rows) =
        flow::export_declarations(&ctx, &actor, code.clone(), query.year).await?;
    let body = french_csv(
        &[
            "firm_ref",
            "firm_name",
            "bureau_ref",
            "person_kind",
            "person_ref",
            "person_name",
            "state",
            "version",
            "pp_category",
            "headcount",
            "amount_eur",
            "submitted_at",
        ],
        rows.into_iter().map(|r| {
            vec![
                r.firm_ref,
                r.firm_name,
                r.bureau_ref,
                r.person_kind,
                r.person_ref,
                r.person_name,
                r.state.as_str().to_owned(),
                r.version.map(|v| v.to_string()).unwrap_or_default(),
                r.pp_category.unwrap_or_default(),
                r.headcount_hundredths
                    .map(|h| cents(i64::from(h)))
                    .unwrap_or_default(),
                r.amount_cents.map(cents).unwrap_or_default(),
                r.submitted_at.map(flow::export_time).unwrap_or_default(),
            ]
        }),
    );
    Ok(csv_answer(
        format!("declarations-{code}-{}.csv", campaign.year),
        body,
    ))
}

/// Export the payments of a campaign as CSV for a French spreadsheet (UTF-8 with a BOM, `;`,
/// amounts in euros with a decimal comma): one line per payment, with the bureaux it settles.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The region's code"), CampaignQuery),
    responses(
        (status = 200, description = "The payments as CSV", body = String, content_type = "text/csv"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/exports/payments")]
pub async fn export_region_payments(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    code: web::Path<String>,
    query: web::Query<CampaignQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let (campaign, rows) = flow::export_payments(&ctx, &actor, code.clone(), query.year).await?;
    let body = french_csv(
        &[
            "payment_id",
            "created_at",
            "method",
            "status",
            "amount_eur",
            "reference",
            "payer",
            "bureaux",
            "confirmed_at",
            "failure_reason",
        ],
        rows.into_iter().map(|(p, parts, payer)| {
            let bureaux: Vec<String> = parts
                .iter()
                .map(|(bureau_ref, amount)| format!("{bureau_ref} {}", cents(*amount)))
                .collect();
            vec![
                p.id,
                flow::export_time(p.created_at),
                p.method,
                p.status.as_str().to_owned(),
                cents(p.amount_cents),
                p.transfer_reference.unwrap_or(p.provider_reference),
                payer.unwrap_or_default(),
                bureaux.join(", "),
                p.confirmed_at.map(flow::export_time).unwrap_or_default(),
                p.failure_reason.unwrap_or_default(),
            ]
        }),
    );
    Ok(csv_answer(
        format!("paiements-{code}-{}.csv", campaign.year),
        body,
    ))
}

/// Where a campaign stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignSummaryView {
    pub region_code: String,
    pub campaign_year: i32,
    pub is_open: bool,
    pub bureaux: i64,
    /// Bureaux with every attached person declared.
    pub bureaux_declared: i64,
    /// Bureaux with something called and nothing left to pay.
    pub bureaux_paid: i64,
    /// Bureaux that still owe something.
    pub bureaux_outstanding: i64,
    /// Called (charges less cancellations and credits).
    pub called: Money,
    /// Received less refunded.
    pub paid: Money,
    /// What the bureaux that owe still owe.
    pub outstanding: Money,
    /// Reserved by payments not confirmed yet.
    pub pending: Money,
}

/// The campaign summary of the region: bureaux declared, paid and outstanding; amounts called,
/// paid and outstanding.
#[utoipa::path(
    tag = "council",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The region's code"), CampaignQuery),
    responses(
        (status = 200, description = "The summary", body = CampaignSummaryView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not the region's council; `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/regions/{code}/summary")]
pub async fn region_campaign_summary(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    code: web::Path<String>,
    query: web::Query<CampaignQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let (campaign, s) = flow::summary(&ctx, &actor, code.clone(), query.year).await?;
    Ok(HttpResponse::Ok().json(CampaignSummaryView {
        region_code: code,
        campaign_year: campaign.year,
        is_open: campaign.is_open,
        bureaux: s.bureaux,
        bureaux_declared: s.declared,
        bureaux_paid: s.paid,
        bureaux_outstanding: s.outstanding,
        called: Money::eur(s.called_cents),
        paid: Money::eur(s.paid_cents),
        outstanding: Money::eur(s.outstanding_cents),
        pending: Money::eur(s.pending_cents),
    }))
}
