use actix_web::{post, web, HttpResponse};

use super::get_payment::PaymentView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::payments::cancel as flow,
};

/// "Annuler le paiement": gives up a pending payment (a transfer that will not be sent, a card
/// checkout left unfinished). It ends `failed` with `failure_reason` `cancelled`, books nothing,
/// and what it reserved may be paid again at once, by any method. Open to those who may see every
/// bureau it settles. Money that still arrives for it afterwards (a transfer sent anyway) is not
/// lost: its notification is kept, refused as `not_pending`, for the regional council to book.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code"), ("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The payment, cancelled (`status` `failed`, `failure_reason` `cancelled`)", body = PaymentView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `payment_not_found` (also for a payment of bureaux the user may not see)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`payment_not_pending` (confirmed, failed, expired or already cancelled), `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
    )
)]
#[post("/portal/regions/{code}/payments/{id}/cancel")]
pub async fn cancel_payment(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, id) = path.into_inner();
    let record = flow::cancel_payment(&ctx, &auth, region_code, id).await?;
    Ok(HttpResponse::Ok().json(PaymentView::of(record, &ctx.settings.transfer_account)))
}
