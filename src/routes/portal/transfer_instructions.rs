use actix_web::{get, web, HttpResponse};

use super::documents::{pdf_response, PdfFile};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::documents as flow,
};

/// "Virement en attente": the instructions of a transfer the bank has not confirmed yet, as PDF:
/// the account to credit, the amount, the reference to quote, and what it will settle. Readable
/// by those who may see every bureau it settles, while it is pending; then its receipt applies.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The PDF", body = PdfFile, content_type = "application/pdf"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `payment_not_found` (also for a payment of bureaux the user may not see), `transfer_not_found` (a card or direct-debit payment)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`payment_not_pending` (the transfer was received: see its receipt; or it failed), `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 503, description = "`document_unavailable`: the document could not be laid out within its time bound (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/portal/regions/{code}/payments/{id}/transfer-instructions")]
pub async fn transfer_instructions(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, id) = path.into_inner();
    let pdf = flow::transfer_instructions(&ctx, &auth, region_code, id).await?;
    Ok(pdf_response(pdf))
}
