//! "Annuler le paiement": the payer gives up a pending payment (a transfer they will not send, a
//! card checkout they left), so that what it reserved may be paid again at once, by any method.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db,
    error::{ApiError, ErrorCode},
    flows::portal::region_access,
    i18n::Text,
    payments,
};

use super::{visible_payment, PaymentRecord};

/// Cancels the pending payment `id` of `region_code` for someone who may see every bureau it
/// settles: it fails with `failure_reason` [`payments::CANCELLED`], books nothing and reserves
/// nothing from then on. Refused with `payment_not_found` (as for a payment the caller may not
/// see) and `payment_not_pending` once it is confirmed, failed, expired or already cancelled.
pub async fn cancel_payment(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    id: String,
) -> Result<PaymentRecord, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    let clock = ctx.clock;
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let payment = visible_payment(conn, &access, &region_code, &id)?;
                // Read under the payment's lock: a confirmation that got there first wins.
                let cancelled =
                    payments::cancel(conn, &payment.id, clock.now())?.ok_or_else(not_pending)?;
                touched.region(&cancelled.region_code);
                PaymentRecord::load(conn, cancelled)
            })
        })
        .await
}

/// 409 `payment_not_pending`, said for a cancellation.
fn not_pending() -> ApiError {
    ApiError::of(ErrorCode::PaymentNotPending).with_detail(Text::new(
        "Ce paiement n'est plus en attente (reçu, refusé, expiré ou déjà annulé) : il ne peut plus être annulé.",
        "This payment is no longer pending (received, refused, expired or already cancelled): it can no longer be cancelled.",
    ))
}
