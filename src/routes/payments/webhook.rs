use actix_web::{http::header, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::states::PaymentStatus;
use crate::{
    context::ApiContext,
    db::{
        self,
        payments::{record_webhook_event, Payment},
        LockTarget,
    },
    error::{details, ApiError, ErrorCode, Problem},
    i18n::Text,
    payments::{
        self,
        webhook::{EventKind, WebhookError, SIGNATURE_HEADER},
    },
};

/// What a notification did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOutcome {
    pub payment_id: String,
    /// The payment's status after the notification.
    #[schema(value_type = String, example = "confirmed")]
    pub status: PaymentStatus,
}

fn signature_problem(error: &WebhookError) -> ApiError {
    match error {
        WebhookError::BadSignature => ApiError::of(ErrorCode::InvalidSignature)
            .with_detail(details::WEBHOOK_SIGNATURE)
            .with_header(header::WWW_AUTHENTICATE, SIGNATURE_HEADER),
        WebhookError::Expired => ApiError::of(ErrorCode::SignatureExpired)
            .with_header(header::WWW_AUTHENTICATE, SIGNATURE_HEADER),
        WebhookError::InvalidEvent(reason) => {
            ApiError::of(ErrorCode::InvalidEvent).with_detail(Text::owned(
                format!("La notification n'est pas comprise : {reason}"),
                format!("The notification is not understood: {reason}"),
            ))
        }
    }
}

/// Receives a signed notification from a payment provider (`test`, the shipped one) or from the
/// bank-statement feed (`bank`, for transfers, by the reference quoted). Header
/// `ComptExpert-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the
/// key `PAYMENT_WEBHOOK_SECRET`; body `{"id", "type": "payment.succeeded" | "payment.failed",
/// "payment_reference", "amount_cents", "currency": "EUR", "failure_reason"?}`. A success books
/// the payment's parts in the ledger; a failure releases them. Each event id is processed once:
/// a replay is refused. No bearer token: the signature authenticates the sender.
#[utoipa::path(
    tag = "portal",
    params(
        ("provider" = String, Path, description = "`bank` or the provider's name (`test`)"),
        ("ComptExpert-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>`"),
    ),
    request_body(content = String, content_type = "application/json", description = "The event, signed as sent (raw bytes)"),
    responses(
        (status = 200, description = "Processed", body = WebhookOutcome),
        (status = 401, description = "`invalid_signature`, `signature_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`provider_not_found`, `payment_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`webhook_replayed` (event already processed), `payment_not_pending` (a success for a failed payment or a failure for a confirmed one: handled by the regional council)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_event`, `amount_mismatch`", body = Problem, content_type = "application/problem+json"),
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
    let secret = ctx
        .settings
        .payment_webhook_secret
        .clone()
        .ok_or_else(|| ApiError::of(ErrorCode::WebhooksDisabled))?;
    let provider = ctx
        .providers
        .by_name(&provider)
        .ok_or_else(|| ApiError::of(ErrorCode::ProviderNotFound))?;
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let event = provider
        .read_webhook(
            secret.as_bytes(),
            signature,
            &body,
            chrono::Utc::now().timestamp(),
        )
        .map_err(|e| signature_problem(&e))?;
    let provider_name = provider.name();
    let outcome = ctx
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let now = db::now();
                let found = Payment::find_by_provider_reference(
                    conn,
                    provider_name,
                    &event.payment_reference,
                )?;
                let Some(found) = found else {
                    return Err(ApiError::of(ErrorCode::PaymentNotFound)
                        .with_detail(details::NO_PAYMENT_WITH_PROVIDER_REFERENCE));
                };
                db::lock_for_update(conn, LockTarget::Payment, &found.id)?;
                // Read again under the lock: a concurrent notification may have settled it.
                let payment = Payment::find_by_provider_reference(
                    conn,
                    provider_name,
                    &event.payment_reference,
                )?
                .ok_or_else(ApiError::not_found)?;
                if !record_webhook_event(
                    conn,
                    provider_name,
                    &event.id,
                    event.kind.as_str(),
                    Some(&payment.id),
                    now,
                )? {
                    return Err(ApiError::of(ErrorCode::WebhookReplayed));
                }
                let not_pending = || ApiError::of(ErrorCode::PaymentNotPending);
                match (event.kind, payment.status) {
                    (EventKind::Succeeded, PaymentStatus::Pending) => {
                        if event.amount_cents != i64::from(payment.amount_cents) {
                            return Err(ApiError::of(ErrorCode::AmountMismatch));
                        }
                        payments::confirm(conn, &payment, now)?;
                    }
                    (EventKind::Failed, PaymentStatus::Pending) => {
                        let reason = event
                            .failure_reason
                            .as_deref()
                            .unwrap_or("refused by the provider");
                        payments::fail(conn, &payment, reason, now)?;
                    }
                    (EventKind::Succeeded, PaymentStatus::Confirmed)
                    | (EventKind::Failed, PaymentStatus::Failed) => {}
                    (EventKind::Succeeded, PaymentStatus::Failed)
                    | (EventKind::Failed, PaymentStatus::Confirmed) => return Err(not_pending()),
                }
                let settled = Payment::find_by_provider_reference(
                    conn,
                    provider_name,
                    &event.payment_reference,
                )?
                .ok_or_else(ApiError::not_found)?;
                Ok(WebhookOutcome {
                    payment_id: settled.id,
                    status: settled.status,
                })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}
