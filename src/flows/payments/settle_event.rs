//! A payment provider's or the bank feed's signed notification: it confirms a pending payment
//! (its parts are booked in the ledger) or fails it (what it reserved is released). Each event is
//! processed once; the payment is locked while it is settled, so two notifications never both
//! book it.

use actix_web::http::header;

use crate::{
    context::ApiContext,
    db::{
        self,
        payments::{record_webhook_event, Payment},
        LockTarget,
    },
    domain::states::PaymentStatus,
    error::{details, ApiError, ErrorCode},
    i18n::Text,
    payments::{
        self,
        webhook::{EventKind, WebhookError, SIGNATURE_HEADER},
    },
};

/// The payment a notification settled, and its status after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub payment_id: String,
    pub status: PaymentStatus,
}

/// Reads the notification `body` that `provider_name` signed with `signature` and settles its
/// payment. Refused with `webhooks_disabled` without a secret, `provider_not_found`,
/// `invalid_signature`, `signature_expired` or `invalid_event` for a notification that cannot be
/// trusted or read, `payment_not_found`, `webhook_replayed` for an event already processed,
/// `amount_mismatch`, and `payment_not_pending` for a success after a failure or the reverse
/// (the regional council handles those).
pub async fn settle_event(
    ctx: &ApiContext,
    provider_name: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Settled, ApiError> {
    let secret = ctx
        .settings
        .payment_webhook_secret
        .clone()
        .ok_or_else(|| ApiError::of(ErrorCode::WebhooksDisabled))?;
    let provider = ctx
        .providers
        .by_name(provider_name)
        .ok_or_else(|| ApiError::of(ErrorCode::ProviderNotFound))?;
    let event = provider
        .read_webhook(
            secret.as_bytes(),
            signature,
            body,
            ctx.clock.now().and_utc().timestamp(),
        )
        .map_err(|e| signature_problem(&e))?;
    let provider_name = provider.name();
    let clock = ctx.clock;
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
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
                // The time of the settlement is read once the lock is held.
                let now = clock.now();
                // Read again under the lock: a concurrent notification may have settled it.
                let payment = Payment::find_by_provider_reference(
                    conn,
                    provider_name,
                    &event.payment_reference,
                )?
                .ok_or_else(ApiError::not_found)?;
                touched.region(&payment.region_code);
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
                        if event.amount_cents != payment.amount_cents {
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
                Ok(Settled {
                    payment_id: settled.id,
                    status: settled.status,
                })
            })
        })
        .await
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
