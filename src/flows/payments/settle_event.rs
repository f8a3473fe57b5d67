//! A payment provider's or the bank feed's signed notification: it confirms a pending payment
//! (its parts are booked in the ledger) or fails it (what it reserved is released). Each event is
//! processed once; the payment is locked while it is settled, so two notifications never both
//! book it.

use actix_web::http::header;

use crate::{
    context::ApiContext,
    context::Clock,
    db::{
        self,
        payments::{Payment, WebhookEvent},
        versions::Touched,
        DbConnection, LockTarget,
    },
    domain::states::{PaymentStatus, WebhookOutcome},
    error::{details, ApiError, ErrorCode},
    i18n::Text,
    payments::{
        self,
        webhook::{EventKind, WebhookError, WebhookEvent as VerifiedEvent, SIGNATURE_HEADER},
    },
};

/// What a verified notification did: kept with its outcome, applied or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The provider's id of the event.
    pub event_id: String,
    pub outcome: WebhookOutcome,
    /// The payment it named, unless no payment has its reference.
    pub payment_id: Option<String>,
    /// The reference it named.
    pub payment_reference: String,
    /// The payment's status after it.
    pub status: Option<PaymentStatus>,
}

/// Reads the notification `body` that `provider_name` signed with `signature` and settles its
/// payment. Refused with `webhooks_disabled` without a secret, `provider_not_found`,
/// `invalid_signature`, `signature_expired` or `invalid_event` for a notification that cannot be
/// trusted or read, and `webhook_replayed` for an event already processed. A verified event is
/// always kept with its [`WebhookOutcome`] and answered: one refused for its amount, for a
/// payment no longer pending or for an unknown reference changes no payment, and its provider
/// has nothing to retry (the regional council handles it).
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
    let settled = ctx
        .db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                settle(conn, touched, provider_name, &event, clock)
            })
        })
        .await?;
    crate::measures::webhook_event(settled.outcome.as_str());
    // Logged with the reference the provider named, so that an operator finds it either way.
    match settled.outcome {
        WebhookOutcome::Applied | WebhookOutcome::Unchanged => tracing::info!(
            provider = provider_name,
            reference = %settled.payment_reference,
            outcome = %settled.outcome,
            "payment notification processed"
        ),
        refused => tracing::warn!(
            provider = provider_name,
            reference = %settled.payment_reference,
            outcome = %refused,
            "payment notification refused, kept for the regional council"
        ),
    }
    Ok(settled)
}

/// Settles `event` in the caller's transaction. A refused event (wrong amount, payment no longer
/// pending, unknown reference) changes no payment, but is kept with its outcome, and the
/// transaction commits that record alone: it no longer rolls back with the refusal.
fn settle(
    conn: &mut DbConnection,
    touched: &mut Touched,
    provider_name: &str,
    event: &VerifiedEvent,
    clock: Clock,
) -> Result<Settled, ApiError> {
    let found = Payment::find_by_provider_reference(conn, provider_name, &event.payment_reference)?;
    let payment = match found {
        Some(found) => {
            db::lock_for_update(conn, LockTarget::Payment, &found.id)?;
            // Read again under the lock: a concurrent notification may have settled it.
            Payment::find_by_provider_reference(conn, provider_name, &event.payment_reference)?
        }
        None => None,
    };
    // The time of the settlement is read once the lock is held.
    let now = clock.now();
    let (outcome, detail) = match &payment {
        None => (WebhookOutcome::UnknownPayment, None),
        Some(payment) => judge(event, payment),
    };
    let record = WebhookEvent {
        provider: provider_name.to_owned(),
        event_id: event.id.clone(),
        event_type: event.kind.as_str().to_owned(),
        payment_id: payment.as_ref().map(|p| p.id.clone()),
        received_at: now,
        outcome,
        payment_reference: Some(event.payment_reference.clone()),
        detail,
    };
    if !record.record(conn)? {
        return Err(ApiError::of(ErrorCode::WebhookReplayed));
    }
    let mut status = payment.as_ref().map(|p| p.status);
    if let (WebhookOutcome::Applied, Some(payment)) = (outcome, &payment) {
        touched.region(&payment.region_code);
        status = Some(match event.kind {
            EventKind::Succeeded => {
                payments::confirm(conn, payment, now)?;
                PaymentStatus::Confirmed
            }
            EventKind::Failed => {
                let reason = event
                    .failure_reason
                    .as_deref()
                    .unwrap_or("refused by the provider");
                payments::fail(conn, payment, reason, now)?;
                PaymentStatus::Failed
            }
        });
    }
    Ok(Settled {
        event_id: event.id.clone(),
        outcome,
        payment_id: payment.map(|p| p.id),
        payment_reference: event.payment_reference.clone(),
        status,
    })
}

/// What `event` does to `payment`, and why when it is refused.
fn judge(event: &VerifiedEvent, payment: &Payment) -> (WebhookOutcome, Option<String>) {
    match (event.kind, payment.status) {
        (EventKind::Succeeded, PaymentStatus::Pending)
            if event.amount_cents != payment.amount_cents =>
        {
            let detail = format!(
                "{} cents received for a payment of {} cents",
                event.amount_cents, payment.amount_cents
            );
            (WebhookOutcome::AmountMismatch, Some(detail))
        }
        (EventKind::Succeeded | EventKind::Failed, PaymentStatus::Pending) => {
            (WebhookOutcome::Applied, None)
        }
        (EventKind::Succeeded, PaymentStatus::Confirmed)
        | (EventKind::Failed, PaymentStatus::Failed) => (WebhookOutcome::Unchanged, None),
        (EventKind::Succeeded, PaymentStatus::Failed)
        | (EventKind::Failed, PaymentStatus::Confirmed) => {
            let detail = format!("{} for a payment {}", event.kind.as_str(), payment.status);
            (WebhookOutcome::NotPending, Some(detail))
        }
    }
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
