//! Paying contributions ("Payer"): one bureau, or the firm's bureaux of the region in one grouped
//! payment. The amount is reserved against the balance first, then the provider's checkout is
//! started; a provider failure is committed as a failed payment that releases its reservation.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{self, payments::Payment, portal},
    domain::money::MAX_PAYMENT_CENTS,
    error::{details, ApiError, ErrorCode, FieldIssue},
    flows::{
        payments::PaymentRecord,
        portal::{amount_too_large, bureau_of, campaign_of, region_access},
    },
    i18n::Text,
    payments::{
        self,
        provider::{CheckoutRequest, PaymentMethod},
        PaymentError, PaymentOrder,
    },
};

/// What a payment is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentTarget {
    /// One bureau, by its reference.
    Bureau(String),
    /// The bureaux of a firm, by its reference, that the caller manages in the region.
    Firm(String),
}

/// Pays `target` in `region_code` by `method`: `amount_cents`, or everything that remains to pay
/// when absent. Returns the pending payment (its transfer reference or checkout URL set).
/// Refused with `validation_failed` for an amount that is not positive, `amount_too_large` for
/// one above [`MAX_PAYMENT_CENTS`] (given, or everything that remains), `firm_not_found`,
/// `payment_method_unavailable`, `campaign_closed`, `overpayment` or `nothing_to_pay`, and
/// `payment_provider_unavailable` when the provider fails (nothing is charged then).
pub async fn pay(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    target: PaymentTarget,
    method: PaymentMethod,
    amount_cents: Option<i64>,
    idempotency_key: Option<String>,
) -> Result<PaymentRecord, ApiError> {
    if amount_cents.is_some_and(|a| a <= 0) {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "amount_cents",
            "positive",
            Text::new(
                "Le montant doit être positif.",
                "The amount must be positive.",
            ),
        )]));
    }
    // Before anything is read: no amount past the maximum goes further.
    if amount_cents.is_some_and(|a| a > MAX_PAYMENT_CENTS) {
        return Err(amount_too_large());
    }
    let access = region_access(ctx, auth, region_code.clone()).await?;
    let provider = ctx
        .providers
        .for_method(method)
        .ok_or_else(|| ApiError::of(ErrorCode::PaymentMethodUnavailable))?;
    let provider_name = provider.name();
    let now = ctx.clock.now();
    let expires_after = ctx.settings.payment_expiry.of(method);
    let begun = ctx
        .db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let campaign = campaign_of(&access)?;
                // A retry of a payment whose first attempt never answered (see
                // `crate::idempotency`): the payment it made, not a second one.
                if let Some(key) = &idempotency_key {
                    if let Some(earlier) =
                        Payment::find_by_idempotency_key(conn, &access.account.id, key)?
                    {
                        let record = PaymentRecord::load(conn, earlier)?;
                        let description = format!(
                            "Cotisations {} – {}",
                            record.campaign.year, record.firm.name
                        );
                        return Ok(Begun::Earlier(Box::new(record), description));
                    }
                }
                // What the payment reserves shows on the region's dashboards at once.
                touched.region(&region_code);
                let (firm, bureau_id, bureau_ids) = match target {
                    PaymentTarget::Bureau(bureau_ref) => {
                        let (bureau, firm) = bureau_of(conn, &access, &region_code, &bureau_ref)?;
                        (firm, Some(bureau.id.clone()), vec![bureau.id])
                    }
                    PaymentTarget::Firm(firm_ref) => {
                        let rows =
                            portal::visible_bureaux_in_region(conn, &access.visible, &region_code)?;
                        let mine: Vec<_> = rows
                            .into_iter()
                            .filter(|(_, f)| f.firm_ref == firm_ref)
                            .collect();
                        let firm = mine
                            .first()
                            .map(|(_, f)| f.clone())
                            .ok_or_else(firm_not_found)?;
                        (firm, None, mine.into_iter().map(|(b, _)| b.id).collect())
                    }
                };
                let reserved = payments::reserve(
                    conn,
                    &PaymentOrder {
                        campaign: &campaign,
                        firm_id: &firm.id,
                        bureau_id: bureau_id.as_deref(),
                        bureau_ids: &bureau_ids,
                        method,
                        provider: provider_name,
                        amount_cents,
                        actor: &access.account.id,
                        idempotency_key: idempotency_key.as_deref(),
                        expires_after,
                    },
                    now,
                );
                let payment = match reserved {
                    Ok((payment, _)) => payment,
                    // Another attempt with this key, still running past its lease, got there
                    // first: its answer will be the one.
                    Err(PaymentError::Database(e)) if db::is_unique_violation(&e) => {
                        return Err(ApiError::of(ErrorCode::IdempotencyInProgress)
                            .with_header(actix_web::http::header::RETRY_AFTER, "1"))
                    }
                    Err(e) => return Err(e.into()),
                };
                let description = format!("Cotisations {} – {}", campaign.year, firm.name);
                Ok(Begun::New(Box::new(payment), description, campaign.year))
            })
        })
        .await?;
    let (mut payment, description, year) = match begun {
        Begun::New(payment, description, year) => (*payment, description, year),
        // Its provider had answered: the same answer again.
        Begun::Earlier(record, _) if payments::provider_reference(&record.payment).is_some() => {
            return Ok(*record)
        }
        // The first attempt stopped before its provider answered: start it now.
        Begun::Earlier(record, description) => (record.payment, description, record.campaign.year),
    };
    let (payment_id, amount) = (payment.id.clone(), payment.amount_cents);
    let checkout = actix_web::web::block(move || {
        provider.start(&CheckoutRequest {
            payment_id: &payment_id,
            method,
            amount_cents: amount,
            campaign_year: year,
            description: &description,
        })
    })
    .await?;
    // The provider's answer is committed (the checkout recorded, or the payment failed and what
    // it reserved released) before anything is answered.
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                touched.region(&payment.region_code);
                match checkout {
                    Ok(checkout) => {
                        payments::record_checkout(conn, &mut payment, &checkout, now)?;
                        Ok(Some(PaymentRecord::load(conn, payment)?))
                    }
                    Err(error) => {
                        tracing::warn!(%error, payment = %payment.id, "payment provider failed");
                        payments::fail(conn, &payment, "payment provider unavailable", now)?;
                        Ok(None)
                    }
                }
            })
        })
        .await?
        .ok_or_else(|| ApiError::of(ErrorCode::PaymentProviderUnavailable))
}

/// Where a payment stands once its reservation is committed.
enum Begun {
    /// Reserved now, with its checkout's description and the campaign's year.
    New(Box<Payment>, String, i32),
    /// Made by an earlier attempt with the same key, with the description.
    Earlier(Box<PaymentRecord>, String),
}

/// 404 `firm_not_found`: no bureau of the firm that the caller manages in the region.
fn firm_not_found() -> ApiError {
    ApiError::of(ErrorCode::FirmNotFound).with_detail(details::NO_MANAGED_BUREAU_OF_FIRM)
}
