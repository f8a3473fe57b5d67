use actix_web::{get, http::header, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{get_payment::transfer_instructions_url, Money};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::documents::{self as flow, Document, Pdf},
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
pub(super) fn pdf_response(Pdf { bytes, filename }: Pdf) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}

impl DocumentLink {
    /// The link to `document`, a document of a bureau of `region_code`.
    fn of(region_code: &str, document: Document) -> Self {
        match document {
            Document::CallForContributions { year, bureau_ref } => Self {
                kind: "call_for_contributions".into(),
                title: format!("Appel de cotisations {year}"),
                href: format!(
                    "/v1/portal/regions/{region_code}/bureaux/{bureau_ref}/documents/call-for-contributions"
                ),
                payment_id: None,
                amount: None,
                confirmed_at: None,
            },
            Document::Receipt(payment) => {
                let confirmed_at = payment.confirmed_at.unwrap_or(payment.updated_at);
                Self {
                    kind: "receipt".into(),
                    title: format!("Reçu de paiement du {}", confirmed_at.format("%d/%m/%Y")),
                    href: format!(
                        "/v1/portal/regions/{region_code}/payments/{}/receipt",
                        payment.id
                    ),
                    amount: Some(Money::eur(payment.amount_cents)),
                    confirmed_at: Some(confirmed_at.and_utc()),
                    payment_id: Some(payment.id),
                }
            }
            Document::PendingTransfer(payment) => Self {
                kind: "pending_transfer".into(),
                title: format!(
                    "Virement en attente du {}",
                    payment.created_at.format("%d/%m/%Y")
                ),
                href: transfer_instructions_url(&payment),
                amount: Some(Money::eur(payment.amount_cents)),
                confirmed_at: None,
                payment_id: Some(payment.id),
            },
        }
    }
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
    let documents = flow::list_documents(&ctx, &auth, region_code.clone(), bureau_ref).await?;
    let items = documents
        .into_iter()
        .map(|document| DocumentLink::of(&region_code, document))
        .collect();
    Ok(HttpResponse::Ok().json(DocumentList { items }))
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
    let pdf = flow::call_for_contributions(&ctx, &auth, region_code, bureau_ref).await?;
    Ok(pdf_response(pdf))
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
    let pdf = flow::payment_receipt(&ctx, &auth, region_code, id).await?;
    Ok(pdf_response(pdf))
}
