//! "Documents à télécharger": which documents a bureau has, and each of them laid out as PDF from
//! the ledger: the call for contributions, a confirmed payment's receipt, a pending transfer's
//! instructions.

use std::time::{Duration, Instant};

use actix_web::http::header;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    contributions::declarations::declared_of,
    db::{
        declarations::Declaration,
        payments::Payment,
        portal,
        reference::Region,
        registry::{Bureau, Campaign, Firm},
        DbConnection,
    },
    documents::{
        self, transfer::PendingTransfer, CallForContributions, CallLine, LayoutTimeout, Letterhead,
        Receipt, ReceiptLine,
    },
    domain::{
        amount::{Declared, PpCategory},
        money::saturating_sum,
        states::{DeclarationStatus, PaymentStatus},
    },
    error::{details, ApiError, ErrorCode},
    flows::{
        payments::{visible_payment, PaymentRecord},
        portal::{bureau_not_found, bureau_of, region_access, RegionAccess},
    },
    payments::provider::PaymentMethod,
};

/// A laid-out document and the name to save it under.
#[derive(Debug)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub filename: String,
}

/// One document of a bureau's list.
#[derive(Debug)]
pub enum Document {
    /// The bureau's call for contributions of the campaign `year`.
    CallForContributions { year: i32, bureau_ref: String },
    /// The receipt of a confirmed payment with a part for the bureau.
    Receipt(Payment),
    /// The instructions of a transfer with a part for the bureau, not received yet.
    PendingTransfer(Payment),
}

/// The documents of the bureau `bureau_ref` for the current campaign: its call for
/// contributions, then the receipts, then the pending transfers. A payment is listed only to
/// those who may see every bureau it settles. Refused with `bureau_not_found` and
/// `campaign_not_found` (no current campaign).
pub async fn list_documents(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    bureau_ref: String,
) -> Result<Vec<Document>, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            let (campaign, bureau, _) =
                campaign_and_bureau(conn, &access, &region_code, &bureau_ref)?;
            let mut items = vec![Document::CallForContributions {
                year: campaign.year,
                bureau_ref: bureau.bureau_ref.clone(),
            }];
            for payment in Payment::confirmed_for_bureau(conn, &campaign.id, &bureau.id)? {
                if settles_only_visible(conn, &access, &payment)? {
                    items.push(Document::Receipt(payment));
                }
            }
            for payment in Payment::pending_transfers_for_bureau(conn, &campaign.id, &bureau.id)? {
                if settles_only_visible(conn, &access, &payment)? {
                    items.push(Document::PendingTransfer(payment));
                }
            }
            Ok(items)
        })
        .await
}

/// The call for contributions of the bureau `bureau_ref`, refused as [`list_documents`] is, and
/// with `document_unavailable` when it cannot be laid out within its time bound.
pub async fn call_for_contributions(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    bureau_ref: String,
) -> Result<Pdf, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    let today = ctx.clock.now().date();
    let call = ctx
        .db
        .run(move |conn| {
            let (campaign, bureau, firm) =
                campaign_and_bureau(conn, &access, &region_code, &bureau_ref)?;
            call_for(conn, &campaign, &bureau, &firm, today)
        })
        .await?;
    let filename = format!(
        "appel-cotisations-{}-{}.pdf",
        call.letterhead.campaign_year, call.bureau_ref
    );
    let bytes = render(move |deadline| documents::call_for_contributions(&call, deadline)).await?;
    Ok(Pdf { bytes, filename })
}

/// The receipt of the confirmed payment `id`. Refused with `payment_not_found` (also for a
/// payment of bureaux the caller may not see), `payment_not_confirmed`, and
/// `document_unavailable`.
pub async fn payment_receipt(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    id: String,
) -> Result<Pdf, ApiError> {
    let receipt = visible_payment_document(ctx, auth, region_code, id, |conn, payment| {
        if payment.status != PaymentStatus::Confirmed {
            return Err(ApiError::of(ErrorCode::PaymentNotConfirmed));
        }
        let (letterhead, lines, payment) = for_documents(conn, payment)?;
        Ok(Receipt {
            letterhead,
            method_label: PaymentMethod::parse(&payment.method)
                .map(|m| m.label_fr().to_owned())
                .unwrap_or_else(|| payment.method.clone()),
            reference: payment
                .transfer_reference
                .clone()
                .unwrap_or_else(|| payment.provider_reference.clone()),
            confirmed_at: payment.confirmed_at.unwrap_or(payment.updated_at),
            amount_cents: payment.amount_cents,
            lines,
            payment_id: payment.id,
        })
    })
    .await?;
    let filename = format!("recu-paiement-{}.pdf", receipt.payment_id);
    let bytes = render(move |deadline| documents::receipt(&receipt, deadline)).await?;
    Ok(Pdf { bytes, filename })
}

/// "Virement en attente": the instructions of the pending transfer `id`, with the account to
/// pay and the reference to quote. Refused with `payment_not_found`, `transfer_not_found` for a
/// card or direct-debit payment, `payment_not_pending` once the bank has confirmed or refused
/// it, and `document_unavailable`.
pub async fn transfer_instructions(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    id: String,
) -> Result<Pdf, ApiError> {
    let account = ctx.settings.transfer_account.clone();
    let not_a_transfer = || ApiError::of(ErrorCode::TransferNotFound);
    let transfer = visible_payment_document(ctx, auth, region_code, id, move |conn, payment| {
        if payment.method != PaymentMethod::Transfer.as_str() {
            return Err(not_a_transfer());
        }
        if payment.status != PaymentStatus::Pending {
            return Err(ApiError::of(ErrorCode::PaymentNotPending)
                .with_detail(details::TRANSFER_NOT_PENDING));
        }
        let reference = payment
            .transfer_reference
            .clone()
            .ok_or_else(not_a_transfer)?;
        let (letterhead, lines, payment) = for_documents(conn, payment)?;
        Ok(PendingTransfer {
            letterhead,
            iban: account.iban.to_string(),
            bic: account.bic.clone(),
            beneficiary: account.beneficiary.clone(),
            reference,
            amount_cents: payment.amount_cents,
            created_at: payment.created_at,
            lines,
            payment_id: payment.id,
        })
    })
    .await?;
    let filename = format!("virement-en-attente-{}.pdf", transfer.payment_id);
    let bytes =
        render(move |deadline| documents::transfer::pending_transfer(&transfer, deadline)).await?;
    Ok(Pdf { bytes, filename })
}

/// What `build` makes of the payment `id` of `region_code`, read in one go once the caller may
/// see it (`payment_not_found` otherwise, as for a payment that does not exist).
async fn visible_payment_document<T: Send + 'static>(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    id: String,
    build: impl FnOnce(&mut DbConnection, Payment) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            let payment = visible_payment(conn, &access, &region_code, &id)?;
            build(conn, payment)
        })
        .await
}

/// True when the caller may see every bureau `payment` settles.
fn settles_only_visible(
    conn: &mut DbConnection,
    access: &RegionAccess,
    payment: &Payment,
) -> Result<bool, ApiError> {
    let covered = Payment::bureau_ids(conn, &payment.id)?;
    Ok(covered.iter().all(|b| access.visible.contains(b)))
}

/// Lays a document out on a blocking thread within [`documents::TIME_BOUND`]: the writer stops
/// itself at the deadline, and the caller does not wait past it either.
async fn render<F>(build: F) -> Result<Vec<u8>, ApiError>
where
    F: FnOnce(Instant) -> Result<Vec<u8>, LayoutTimeout> + Send + 'static,
{
    let deadline = Instant::now() + documents::TIME_BOUND;
    let work = actix_web::web::block(move || build(deadline));
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

/// A payment's letterhead and what it settles, part by part, for its documents.
fn for_documents(
    conn: &mut DbConnection,
    payment: Payment,
) -> Result<(Letterhead, Vec<ReceiptLine>, Payment), ApiError> {
    let record = PaymentRecord::load(conn, payment)?;
    let letterhead = letterhead(conn, &record.campaign, &record.firm)?;
    let lines = record
        .parts
        .into_iter()
        .map(|part| ReceiptLine {
            bureau_ref: part.bureau_ref,
            label: match part.allocation.attachment_id {
                Some(_) => part.person_name.unwrap_or_default(),
                None => "Part fixe du bureau".to_owned(),
            },
            amount_cents: part.allocation.amount_cents,
        })
        .collect();
    Ok((letterhead, lines, record.payment))
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
    issued_on: chrono::NaiveDate,
) -> Result<CallForContributions, ApiError> {
    let persons = portal::attached_persons(conn, &campaign.id, &bureau.id)?;
    let ids: Vec<String> = persons.iter().map(|p| p.attachment_id.clone()).collect();
    let current = Declaration::current_of(conn, &ids)?;
    let figures = portal::bureau_figures(conn, &campaign.id, std::slice::from_ref(&bureau.id))?
        .remove(&bureau.id)
        .unwrap_or_default();
    let persons_called = saturating_sum(persons.iter().map(|p| p.called_cents));
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
        issued_on,
        // Whatever the ledger charges the bureau itself (its fixed part), so lines add up to the total.
        fixed_part_cents: figures.total_cents.saturating_sub(persons_called),
        lines,
        total_cents: figures.total_cents,
        paid_cents: figures.paid_cents - figures.refunded_cents,
        balance_cents: figures.balance_cents(),
        remaining: figures.remaining_pp + figures.remaining_pm,
    })
}
