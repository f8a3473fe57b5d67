use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::Money;
use crate::{
    auth::extractor::Authenticated,
    config::TransferAccount,
    context::ApiContext,
    db::payments::Payment,
    domain::states::PaymentStatus,
    error::{ApiError, Problem},
    flows::payments::{self as flow, PaymentPart, PaymentRecord},
    payments,
};

/// One part of a payment: what it settles.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    pub bureau_ref: String,
    /// The attached person the part settles; absent for the bureau's own part.
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub amount: Money,
}

/// How to make a transfer: what the payer types into their bank's transfer form.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferInstructions {
    /// The account to credit, without spaces.
    #[schema(example = "FR7699999000000000000000033")]
    pub iban: String,
    #[schema(example = "DEMOFRPPXXX")]
    pub bic: String,
    /// The account holder, as the payer's bank shows it.
    #[schema(example = "Ordre des experts-comptables - compte de démonstration")]
    pub beneficiary: String,
    /// To quote, exactly, in the transfer's label: without it the transfer cannot be matched to
    /// the payment.
    #[schema(example = "CE-2026-K7Q4-M2ZP")]
    pub reference_to_quote: String,
    /// The amount to transfer, exactly.
    pub amount: Money,
    /// The same instructions as a PDF ("Virement en attente"), until the bank confirms.
    #[schema(
        example = "/v1/portal/regions/paris-ile-de-france/payments/0190b1c2-0000-7000-8000-000000000000/transfer-instructions"
    )]
    pub document_url: String,
}

/// A payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub id: String,
    /// `pending` (waiting for the transfer or the provider), `confirmed` (booked in the ledger)
    /// or `failed` (nothing booked).
    #[schema(value_type = String, example = "pending")]
    pub status: PaymentStatus,
    /// `transfer`, `card` or `direct_debit`.
    #[schema(example = "transfer")]
    pub method: String,
    pub amount: Money,
    /// True for a payment grouped across the firm's bureaux of the region.
    pub grouped: bool,
    pub firm_ref: String,
    pub firm_name: String,
    /// The bureau paid for (absent when grouped).
    pub bureau_ref: Option<String>,
    pub region_code: String,
    pub campaign_year: i32,
    /// Transfers: the reference to quote in the transfer's label, without which the payment
    /// cannot be matched.
    #[schema(example = "CE-2026-K7Q4-M2ZP")]
    pub transfer_reference: Option<String>,
    /// Transfers while pending: the account to credit and the reference to quote.
    pub transfer_instructions: Option<TransferInstructions>,
    /// Card and direct debit: where to send the payer to complete the payment.
    pub checkout_url: Option<String>,
    /// How the provider names the payment (in its back office and its notifications); for a
    /// transfer, the reference to quote. Absent when no checkout could be opened.
    #[schema(example = "CE-2026-K7Q4-M2ZP")]
    pub provider_reference: Option<String>,
    /// Why it failed: `cancelled` (by its payer), `expired` (still pending at `expires_at`), or
    /// the provider's reason (for example `card declined`).
    #[schema(example = "expired")]
    pub failure_reason: Option<String>,
    /// While pending: when it expires if no money has come (a delay per method, see the README),
    /// after which what it reserves may be paid again. Absent once it is settled.
    pub expires_at: Option<DateTime<Utc>>,
    /// What the payment settles, in allocation order; the parts add up to `amount`.
    pub allocations: Vec<AllocationView>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The receipt (PDF), once confirmed.
    pub receipt_url: Option<String>,
}

/// Where the PDF of a pending transfer's instructions is.
pub fn transfer_instructions_url(payment: &Payment) -> String {
    format!(
        "/v1/portal/regions/{}/payments/{}/transfer-instructions",
        payment.region_code, payment.id
    )
}

/// What to transfer where, for a transfer still waiting for the money.
pub fn transfer_instructions(
    payment: &Payment,
    account: &TransferAccount,
) -> Option<TransferInstructions> {
    let reference = payment.transfer_reference.as_ref()?;
    (payment.status == PaymentStatus::Pending).then(|| TransferInstructions {
        iban: account.iban.as_str().to_owned(),
        bic: account.bic.clone(),
        beneficiary: account.beneficiary.clone(),
        reference_to_quote: reference.clone(),
        amount: Money::eur(payment.amount_cents),
        document_url: transfer_instructions_url(payment),
    })
}

impl PaymentView {
    /// The view of `record`; a pending transfer's instructions name `account`.
    pub fn of(record: PaymentRecord, account: &TransferAccount) -> Self {
        let PaymentRecord {
            payment,
            firm,
            campaign,
            bureau_ref,
            parts,
        } = record;
        let confirmed = payment.status == PaymentStatus::Confirmed;
        Self {
            transfer_instructions: transfer_instructions(&payment, account),
            provider_reference: payments::provider_reference(&payment).map(str::to_owned),
            checkout_url: (payment.status == PaymentStatus::Pending)
                .then(|| payment.checkout_url.clone())
                .flatten(),
            receipt_url: confirmed.then(|| {
                format!(
                    "/v1/portal/regions/{}/payments/{}/receipt",
                    payment.region_code, payment.id
                )
            }),
            amount: Money::eur(payment.amount_cents),
            grouped: payment.bureau_id.is_none(),
            firm_ref: firm.firm_ref,
            firm_name: firm.name,
            bureau_ref,
            campaign_year: campaign.year,
            allocations: parts
                .into_iter()
                .map(
                    |PaymentPart {
                         allocation,
                         bureau_ref,
                         person_name,
                     }| AllocationView {
                        bureau_ref,
                        person_name,
                        person_id: allocation.attachment_id,
                        amount: Money::eur(allocation.amount_cents),
                    },
                )
                .collect(),
            created_at: payment.created_at.and_utc(),
            confirmed_at: payment.confirmed_at.map(|t| t.and_utc()),
            id: payment.id,
            status: payment.status,
            method: payment.method,
            region_code: payment.region_code,
            transfer_reference: payment.transfer_reference,
            failure_reason: payment.failure_reason,
            expires_at: payment
                .expires_at
                .filter(|_| payment.status == PaymentStatus::Pending)
                .map(|t| t.and_utc()),
        }
    }
}

/// One payment: its status (poll it after a card checkout), what it settles, the transfer
/// instructions while a transfer is pending, its receipt once confirmed. Visible to those who may see every bureau it settles.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The payment", body = PaymentView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `payment_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[get("/portal/regions/{code}/payments/{id}")]
pub async fn get_payment(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, id) = path.into_inner();
    let record = flow::get_payment(&ctx, &auth, region_code, id).await?;
    Ok(HttpResponse::Ok().json(PaymentView::of(record, &ctx.settings.transfer_account)))
}
