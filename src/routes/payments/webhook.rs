use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    domain::states::{PaymentStatus, WebhookOutcome as Outcome},
    error::{ApiError, Problem},
    flows::payments::settle_event::{self as flow, Settled},
    payments::webhook::SIGNATURE_HEADER,
};

/// What a notification did. Every verified event is kept with its outcome; a refused one
/// changes no payment and is listed for the regional council.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOutcome {
    /// The provider's id of the event.
    #[schema(example = "evt_0001")]
    pub event_id: String,
    /// `applied` (the payment is confirmed or failed), `unchanged` (it already was), or why it
    /// was refused: `amount_mismatch` (another amount than the payment's), `not_pending` (a
    /// success for a failed payment or a failure for a confirmed one), `unknown_payment` (no
    /// payment has this reference).
    #[schema(value_type = String, example = "applied")]
    pub outcome: Outcome,
    /// The payment the event named; null for `unknown_payment`.
    pub payment_id: Option<String>,
    /// The payment's status after the notification; null for `unknown_payment`.
    #[schema(value_type = Option<String>, example = "confirmed")]
    pub status: Option<PaymentStatus>,
}

/// Receives a signed notification from a payment provider (`test`, the shipped one) or from the
/// bank-statement feed (`bank`, for transfers, by the reference quoted). Header
/// `ComptExpert-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the
/// key `PAYMENT_WEBHOOK_SECRET`; body `{"id", "type": "payment.succeeded" | "payment.failed",
/// "payment_reference", "amount_cents", "currency": "EUR", "failure_reason"?}`. A success books
/// the payment's parts in the ledger; a failure releases them. Each event id is processed once:
/// a replay is refused. A verified event is answered 200 even when it is refused (another amount,
/// a payment no longer pending, an unknown reference: see `outcome`), so that the provider stops
/// sending it; it is kept for the regional council. No bearer token: the signature authenticates
/// the sender.
#[utoipa::path(
    tag = "portal",
    params(
        ("provider" = String, Path, description = "`bank` or the provider's name (`test`)"),
        ("ComptExpert-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>`"),
    ),
    request_body(content = String, content_type = "application/json", description = "The event, signed as sent (raw bytes)"),
    responses(
        (status = 200, description = "Verified and kept: applied, unchanged or refused (see `outcome`)", body = WebhookOutcome),
        (status = 401, description = "`invalid_signature`, `signature_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`provider_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`webhook_replayed` (event already processed)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_event`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`webhooks_disabled`: `PAYMENT_WEBHOOK_SECRET` is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/payments/webhooks/{provider}")]
pub async fn receive_webhook(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    provider: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let Settled {
        event_id,
        outcome,
        payment_id,
        status,
        payment_reference: _,
    } = flow::settle_event(&ctx, &provider, signature, &body).await?;
    Ok(HttpResponse::Ok().json(WebhookOutcome {
        event_id,
        outcome,
        payment_id,
        status,
    }))
}
