//! Pending payments do not reserve what they pay forever: each method has its delay
//! ([`crate::config::PaymentExpiry`]), past which a background sweeper fails the payment with
//! `failure_reason` [`payments::EXPIRED`]. A new payment of the same firm does not wait for the
//! sweeper: [`payments::reserve`] expires the firm's overdue payments first.

use std::time::Duration as StdDuration;

use crate::{
    context::ApiContext,
    db::{self, payments::Payment},
    error::ApiError,
    payments,
};

/// How many payments one pass fails at most; the next pass goes on.
const BATCH_SIZE: i64 = 100;

/// Fails every pending payment past its expiry at `ctx.clock`'s now, in batches, each payment
/// under its lock (a confirmation that got there first wins). Returns those it failed. Several
/// instances may run it at once: a payment is failed once.
pub async fn expire_overdue_payments(ctx: &ApiContext) -> Result<Vec<Payment>, ApiError> {
    let mut expired = Vec::new();
    loop {
        let now = ctx.clock.now();
        // A plain indexed read first: most passes find nothing and then take no write lock (on
        // SQLite, the one writer every other write queues behind).
        let due = ctx
            .db
            .run(move |conn| Ok(!Payment::expired(conn, None, now, 1)?.is_empty()))
            .await?;
        if !due {
            return Ok(expired);
        }
        let batch = ctx
            .db
            .run(move |conn| {
                db::scoped_write_transaction(conn, |conn, touched| {
                    let batch = payments::expire_overdue(conn, None, now, BATCH_SIZE)?;
                    for payment in &batch {
                        touched.region(&payment.region_code);
                    }
                    Ok::<_, ApiError>(batch)
                })
            })
            .await?;
        let done = batch.len() < BATCH_SIZE as usize;
        for payment in &batch {
            tracing::info!(
                payment_id = %payment.id,
                method = %payment.method,
                amount_cents = payment.amount_cents,
                "payment expired without being paid; what it reserved may be paid again"
            );
        }
        expired.extend(batch);
        if done {
            return Ok(expired);
        }
    }
}

/// Starts the sweeper: one pass of [`expire_overdue_payments`] at the outbox's poll interval
/// (`MAIL_POLL_INTERVAL_MS`), an indexed read that finds nothing most of the time. A failed pass
/// (the database restarting) is logged and the next one tries again.
pub fn spawn_sweeper(ctx: ApiContext) {
    let period = ctx
        .settings
        .mail_poll_interval
        .max(StdDuration::from_millis(10));
    actix_web::rt::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = expire_overdue_payments(&ctx).await {
                tracing::error!(%error, "payments: cannot expire the overdue payments");
            }
        }
    });
}
