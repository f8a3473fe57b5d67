use actix_web::{get, http::header, web, HttpResponse};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    bureau_not_found,
    contributions::bureau_of,
    get_payment::{transfer_instructions_url, visible_payment},
    region_access, Money, RegionAccess,
};
use crate::domain::states::{DeclarationStatus, PaymentStatus};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    contributions::declarations::declared_of,
    db::{
        attachments,
        declarations::Declaration,
        payments::Payment,
        portal,
        reference::Region,
        registry::{Bureau, Campaign, Firm},
        DbConnection,
    },
    documents::{
        self, CallForContributions, CallLine, LayoutTimeout, Letterhead, Receipt, ReceiptLine,
    },
    domain::amount::{Declared, PpCategory},
    error::{ApiError, ErrorCode, Problem},
    payments::provider::PaymentMethod,
};

/// A PDF file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(pub Vec<u8>);

/// A document to download.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentLink {
    /// `call_for_contributions`, `receipt` (of a confirmed payment) or `pending_transfer` (the
    /// instructions of a transfer not received yet; the receipt replaces it once it is).
    #[schema(example = "receipt")]
    pub kind: String,
    #[schema(example = "Reçu de paiement du 15/03/2026")]
    pub title: String,
    /// Where to `GET` it (`application/pdf`).
    pub href: String,
    /// Receipts and pending transfers: the payment.
    pub payment_id: Option<String>,
    /// Receipts: the amount received; pending transfers: the amount to transfer.
    pub amount: Option<Money>,
    /// Receipts: when it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// "Documents à télécharger" of a bureau.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<DocumentLink>,
}

/// A PDF download that no cache keeps.
pub(super) fn pdf_response(bytes: Vec<u8>, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}

/// Lays a document out on a blocking thread within [`documents::TIME_BOUND`]: the writer stops
/// itself at the deadline, and the request does not wait past it either.
pub(super) async fn render<F>(build: F) -> Result<Vec<u8>, ApiError>
where
    F: FnOnce(Instant) -> Result<Vec<u8>, LayoutTimeout> + Send + 'static,
{
    let deadline = Instant::now() + documents::TIME_BOUND;
    let work = web::block(move || build(deadline));
    match actix_web::rt::time::timeout(documents::TIME_BOUND + Duration::from_millis(500), work)
        .await
    {
        Ok(built) => built?.map_err(|LayoutTimeout| document_unavailable()),
        Err(_) => Err(document_unavailable()),
    }
}

fn document_unavailable() -> ApiError {
    tracing::error!("a document took longer than its time bound to lay out");
    ApiError::of(ErrorCode::DocumentUnavailable).with_header(header::RETRY_AFTER, "30")
}

fn no_campaign() -> ApiError {
    ApiError::of(ErrorCode::CampaignNotFound)
}

fn letterhead(
    conn: &mut DbConnection,
    campaign: &Campaign,
    firm: &Firm,
) -> Result<Letterhead, ApiError> {
    let region = Region::find(conn, &campaign.region_code)?.ok_or_else(bureau_not_found)?;
    Ok(Letterhead {
        region_name: region.name,
        campaign_year: campaign.year,
        firm_name: firm.name.clone(),
        firm_ref: firm.firm_ref.clone(),
    })
}

/// What a declaration says, for documents.
fn detail_of(declaration: Option<&Declaration>) -> String {
    match declaration.and_then(declared_of) {
        Some(Declared::Natural {
            category,
            new_member,
        }) => {
            let mut text = category.label_fr().to_owned();
            if new_member.is_some() && category != PpCategory::Honoraire {
                text.push_str(", nouvel inscrit");
            }
            text
        }
        Some(Declared::Legal { headcount }) => {
            format!("Effectif moyen {}", headcount.to_string().replace('.', ","))
        }
        None => "À déclarer".to_owned(),
    }
}

fn call_for(
    conn: &mut DbConnection,
    campaign: &Campaign,
    bureau: &Bureau,
    firm: &Firm,
) -> Result<CallForContributions, ApiError> {
    let persons = portal::attached_persons(conn, &campaign.id, &bureau.id)?;
    let ids: Vec<String> = persons.iter().map(|p| p.attachment_id.clone()).collect();
    let current = Declaration::current_of(conn, &ids)?;
    let figures = portal::bureau_figures(conn, &campaign.id, std::slice::from_ref(&bureau.id))?
        .remove(&bureau.id)
        .unwrap_or_default();
    let persons_called: i64 = persons.iter().map(|p| p.called_cents).sum();
    let lines = persons
        .into_iter()
        .map(|p| {
            let submitted = current.iter().find(|d| {
                d.attachment_id == p.attachment_id && d.status == DeclarationStatus::Submitted
            });
            CallLine {
                detail: detail_of(submitted),
                person_kind: p.person_kind,
                name: p.name,
                reference: p.reference,
                amount_cents: p.called_cents,
            }
        })
        .collect();
    Ok(CallForContributions {
        letterhead: letterhead(conn, campaign, firm)?,
        bureau_ref: bureau.bureau_ref.clone(),
        inscription_type: bureau.inscription_type.clone(),
        address: format!(
            "{}, {} {}",
            bureau.address_line, bureau.postal_code, bureau.city
        ),
        issued_on: crate::db::now().date(),
        // Whatever the ledger charges the bureau itself (its fixed part), so lines add up to the total.
        fixed_part_cents: figures.total_cents - persons_called,
        lines,
        total_cents: figures.total_cents,
        paid_cents: figures.paid_cents - figures.refunded_cents,
        balance_cents: figures.balance_cents(),
        remaining: figures.remaining_pp + figures.remaining_pm,
    })
}

fn campaign_and_bureau(
    conn: &mut DbConnection,
    access: &RegionAccess,
    region_code: &str,
    bureau_ref: &str,
) -> Result<(Campaign, Bureau, Firm), ApiError> {
    let (bureau, firm) = bureau_of(conn, access, region_code, bureau_ref)?;
    let campaign = access.campaign.clone().ok_or_else(no_campaign)?;
    Ok((campaign, bureau, firm))
}

/// "Documents à télécharger": the bureau's call for contributions, the receipt of each
/// confirmed payment that settled part of it, and the instructions of each transfer with a part
/// for it that the bank has not confirmed yet (for the current campaign). A payment is listed only
/// to those who may see every bureau it settles.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("ref" = String, Path, description = "Ref établissement")),
    responses(
        (status = 200, description = "The documents", body = DocumentList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`, `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[get("/portal/regions/{code}/bureaux/{ref}/documents")]
pub async fn list_documents(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref) = path.into_inner();
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    let list = ctx
        .db
        .run(move |conn| {
            let (campaign, bureau, _) =
                campaign_and_bureau(conn, &access, &region_code, &bureau_ref)?;
            let mut items = vec![DocumentLink {
                kind: "call_for_contributions".into(),
                title: format!("Appel de cotisations {}", campaign.year),
                href: format!(
                    "/v1/portal/regions/{region_code}/bureaux/{}/documents/call-for-contributions",
                    bureau.bureau_ref
                ),
                payment_id: None,
                amount: None,
                confirmed_at: None,
            }];
            for payment in Payment::confirmed_for_bureau(conn, &campaign.id, &bureau.id)? {
                let covered = Payment::bureau_ids(conn, &payment.id)?;
                if !covered.iter().all(|b| access.visible.contains(b)) {
                    continue;
                }
                let confirmed_at = payment.confirmed_at.unwrap_or(payment.updated_at);
                items.push(DocumentLink {
                    kind: "receipt".into(),
                    title: format!("Reçu de paiement du {}", confirmed_at.format("%d/%m/%Y")),
                    href: format!(
                        "/v1/portal/regions/{region_code}/payments/{}/receipt",
                        payment.id
                    ),
                    amount: Some(Money::eur(payment.amount_cents.into())),
                    confirmed_at: Some(confirmed_at.and_utc()),
                    payment_id: Some(payment.id),
                });
            }
            for payment in Payment::pending_transfers_for_bureau(conn, &campaign.id, &bureau.id)? {
                let covered = Payment::bureau_ids(conn, &payment.id)?;
                if !covered.iter().all(|b| access.visible.contains(b)) {
                    continue;
                }
                items.push(DocumentLink {
                    kind: "pending_transfer".into(),
                    title: format!(
                        "Virement en attente du {}",
                        payment.created_at.format("%d/%m/%Y")
                    ),
                    href: transfer_instructions_url(&payment),
                    amount: Some(Money::eur(payment.amount_cents.into())),
                    confirmed_at: None,
                    payment_id: Some(payment.id),
                });
            }
            Ok(DocumentList { items })
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The bureau's call for contributions ("appel de cotisations"), as PDF, generated from the
/// ledger: its fixed part, each attached person with what was declared and called, the total,
/// what was paid and the balance.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("ref" = String, Path, description = "Ref établissement")),
    responses(
        (status = 200, description = "The PDF", body = PdfFile, content_type = "application/pdf"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found` (also for a bureau the user may not see), `campaign_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 503, description = "`document_unavailable`: the document could not be laid out within its time bound (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/portal/regions/{code}/bureaux/{ref}/documents/call-for-contributions")]
pub async fn call_for_contributions(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref) = path.into_inner();
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    let call = ctx
        .db
        .run(move |conn| {
            let (campaign, bureau, firm) =
                campaign_and_bureau(conn, &access, &region_code, &bureau_ref)?;
            call_for(conn, &campaign, &bureau, &firm)
        })
        .await?;
    let filename = format!(
        "appel-cotisations-{}-{}.pdf",
        call.letterhead.campaign_year, call.bureau_ref
    );
    let bytes = render(move |deadline| documents::call_for_contributions(&call, deadline)).await?;
    Ok(pdf_response(bytes, &filename))
}

fn not_confirmed() -> ApiError {
    ApiError::of(ErrorCode::PaymentNotConfirmed)
}

/// The letterhead of a payment's documents.
pub(super) fn payment_letterhead(
    conn: &mut DbConnection,
    payment: &Payment,
) -> Result<Letterhead, ApiError> {
    let firm = Firm::find(conn, &payment.firm_id)?.ok_or_else(bureau_not_found)?;
    let campaign = Campaign::find(conn, &payment.campaign_id)?.ok_or_else(no_campaign)?;
    letterhead(conn, &campaign, &firm)
}

/// What a payment settles, part by part, for its documents.
pub(super) fn payment_lines(
    conn: &mut DbConnection,
    payment: &Payment,
) -> Result<Vec<ReceiptLine>, ApiError> {
    let parts = payment.allocations(conn)?;
    let bureau_ids: Vec<String> = parts.iter().map(|p| p.bureau_id.clone()).collect();
    let refs: std::collections::HashMap<String, String> = Bureau::find_all(conn, &bureau_ids)?
        .into_iter()
        .map(|b| (b.id, b.bureau_ref))
        .collect();
    let person_ids: Vec<String> = parts
        .iter()
        .filter_map(|p| p.attachment_id.clone())
        .collect();
    let names = attachments::names(conn, &person_ids)?;
    Ok(parts
        .into_iter()
        .map(|p| ReceiptLine {
            bureau_ref: refs.get(&p.bureau_id).cloned().unwrap_or_default(),
            label: match &p.attachment_id {
                Some(a) => names.get(a).cloned().unwrap_or_default(),
                None => "Part fixe du bureau".to_owned(),
            },
            amount_cents: p.amount_cents.into(),
        })
        .collect())
}

/// The receipt of a confirmed payment, as PDF: the amount received, the method and reference,
/// and what it settled, bureau by bureau. Readable by those who may see every bureau it settled.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The PDF", body = PdfFile, content_type = "application/pdf"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `payment_not_found` (also for a payment of bureaux the user may not see)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`payment_not_confirmed`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 503, description = "`document_unavailable`: the document could not be laid out within its time bound (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/portal/regions/{code}/payments/{id}/receipt")]
pub async fn payment_receipt(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, id) = path.into_inner();
    let access = region_access(&ctx, &auth, region_code.clone()).await?;
    let receipt = ctx
        .db
        .run(move |conn| {
            let payment = visible_payment(conn, &access, &region_code, &id)?;
            if payment.status != PaymentStatus::Confirmed {
                return Err(not_confirmed());
            }
            Ok(Receipt {
                letterhead: payment_letterhead(conn, &payment)?,
                method_label: PaymentMethod::parse(&payment.method)
                    .map(|m| m.label_fr().to_owned())
                    .unwrap_or_else(|| payment.method.clone()),
                reference: payment
                    .transfer_reference
                    .clone()
                    .unwrap_or_else(|| payment.provider_reference.clone()),
                confirmed_at: payment.confirmed_at.unwrap_or(payment.updated_at),
                amount_cents: payment.amount_cents.into(),
                lines: payment_lines(conn, &payment)?,
                payment_id: payment.id,
            })
        })
        .await?;
    let filename = format!("recu-paiement-{}.pdf", receipt.payment_id);
    let bytes = render(move |deadline| documents::receipt(&receipt, deadline)).await?;
    Ok(pdf_response(bytes, &filename))
}
