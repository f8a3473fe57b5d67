//! Paying contributions: a payment reserves what it will settle when it is created, and books
//! it in the ledger when the bank or the provider confirms it.
//!
//! - What may be paid is what the ledger says is owed, less what pending payments already
//!   reserve; more is refused as an overpayment, less is a partial payment allocated in the
//!   order of [`crate::domain::allocation`]. One payment is at most
//!   [`MAX_PAYMENT_CENTS`]: a larger balance is paid in several.
//! - Confirmation books one ledger `payment` entry per allocated part: the entries of a payment
//!   add up to its amount, to the cent.
//! - A failed payment books nothing and releases what it reserved. A pending payment fails
//!   when its provider says so, when its payer cancels it ([`CANCELLED`]), or when it expires
//!   ([`EXPIRED`]): each method has its delay ([`crate::config::PaymentExpiry`]).

pub mod provider;
pub mod webhook;

use chrono::NaiveDateTime;

use crate::domain::states::{LedgerEntryKind, PaymentStatus};
use crate::{
    db::{
        self,
        ledger::{self, NewEntry},
        payments::{dues, Allocation, Payment},
        registry::Campaign,
        DbConnection, LockTarget,
    },
    domain::{allocation, money::MAX_PAYMENT_CENTS},
};
use provider::{Checkout, PaymentMethod};

/// Prefix of the reference a payment holds until its provider names it.
const PROVISIONAL_REFERENCE: &str = "pending:";

/// The `failure_reason` of a payment its payer cancelled.
pub const CANCELLED: &str = "cancelled";
/// The `failure_reason` of a payment still pending at its `expires_at`.
pub const EXPIRED: &str = "expired";

/// How the provider names the payment; `None` while (or when, after a provider failure) it has
/// not named it.
pub fn provider_reference(payment: &Payment) -> Option<&str> {
    let reference = payment.provider_reference.as_str();
    (!reference.starts_with(PROVISIONAL_REFERENCE)).then_some(reference)
}

/// Why a payment was refused.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The campaign is closed.
    #[error("the campaign is closed")]
    CampaignClosed,
    /// Nothing is owed (or pending payments already cover it).
    #[error("nothing to pay")]
    NothingToPay,
    /// More than what is owed.
    #[error("overpayment: at most {payable_cents} cents may be paid")]
    Overpayment { payable_cents: i64 },
    /// More than [`MAX_PAYMENT_CENTS`], given or as everything that remains to pay.
    #[error("a payment is at most {MAX_PAYMENT_CENTS} cents")]
    AmountTooLarge,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// A payment to reserve.
#[derive(Debug, Clone)]
pub struct PaymentOrder<'a> {
    pub campaign: &'a Campaign,
    pub firm_id: &'a str,
    /// The bureau paid for; `None` for a grouped payment.
    pub bureau_id: Option<&'a str>,
    /// The bureaux it settles, in the dashboard's order.
    pub bureau_ids: &'a [String],
    pub method: PaymentMethod,
    /// The provider's name (`bank` for transfers).
    pub provider: &'a str,
    /// `None`: everything that is payable.
    pub amount_cents: Option<i64>,
    pub actor: &'a str,
    /// The payer's `Idempotency-Key`, kept with the payment.
    pub idempotency_key: Option<&'a str>,
    /// How long it may stay pending (its method's delay).
    pub expires_after: chrono::Duration,
}

/// Reserves a payment: checks the amount against the maximum of one payment and what is
/// payable, allocates it, and stores it pending with its parts. Runs in the caller's write
/// transaction, under the firm's lock, so two payments never reserve the same debt.
pub fn reserve(
    conn: &mut DbConnection,
    order: &PaymentOrder<'_>,
    now: NaiveDateTime,
) -> Result<(Payment, Vec<Allocation>), PaymentError> {
    if !order.campaign.is_open {
        return Err(PaymentError::CampaignClosed);
    }
    db::lock_for_update(conn, LockTarget::Firm, order.firm_id)?;
    // What expired stops reserving now, not at the sweeper's next pass.
    expire_overdue(conn, Some(order.firm_id), now, i64::MAX)?;
    let owed = dues(conn, &order.campaign.id, order.bureau_ids)?;
    let payable_cents = allocation::payable(&owed);
    if payable_cents == 0 {
        return Err(PaymentError::NothingToPay);
    }
    let amount = order.amount_cents.unwrap_or(payable_cents);
    if amount > MAX_PAYMENT_CENTS {
        return Err(PaymentError::AmountTooLarge);
    }
    if amount > payable_cents {
        return Err(PaymentError::Overpayment { payable_cents });
    }
    let parts =
        allocation::allocate(amount, &owed).ok_or(PaymentError::Overpayment { payable_cents })?;
    let id = db::new_id();
    let payment = Payment {
        id: id.clone(),
        campaign_id: order.campaign.id.clone(),
        region_code: order.campaign.region_code.clone(),
        firm_id: order.firm_id.to_owned(),
        bureau_id: order.bureau_id.map(str::to_owned),
        method: order.method.as_str().to_owned(),
        status: PaymentStatus::Pending,
        amount_cents: amount,
        transfer_reference: None,
        provider: order.provider.to_owned(),
        // Until the provider names it: unique, and never a reference the provider could send.
        provider_reference: format!("{PROVISIONAL_REFERENCE}{id}"),
        checkout_url: None,
        failure_reason: None,
        created_by: Some(order.actor.to_owned()),
        created_at: now,
        updated_at: now,
        confirmed_at: None,
        idempotency_key: order.idempotency_key.map(str::to_owned),
        expires_at: Some(now + order.expires_after),
    };
    let mut allocations = Vec::with_capacity(parts.len());
    for (position, part) in parts.into_iter().enumerate() {
        allocations.push(Allocation {
            payment_id: id.clone(),
            position: i32::try_from(position).unwrap_or(i32::MAX),
            bureau_id: part.bureau_id,
            attachment_id: part.attachment_id,
            amount_cents: part.amount_cents,
        });
    }
    payment.insert(conn, &allocations)?;
    Ok((payment, allocations))
}

/// Records the checkout the provider opened (for a transfer, the reference to quote).
pub fn record_checkout(
    conn: &mut DbConnection,
    payment: &mut Payment,
    checkout: &Checkout,
    now: NaiveDateTime,
) -> Result<(), PaymentError> {
    let transfer_reference = (payment.method == PaymentMethod::Transfer.as_str())
        .then(|| checkout.provider_reference.clone());
    Payment::set_checkout(
        conn,
        &payment.id,
        &checkout.provider_reference,
        checkout.redirect_url.as_deref(),
        transfer_reference.as_deref(),
        now,
    )?;
    payment.transfer_reference = transfer_reference;
    payment.provider_reference = checkout.provider_reference.clone();
    payment.checkout_url = checkout.redirect_url.clone();
    payment.updated_at = now;
    Ok(())
}

/// Confirms a pending payment: one ledger `payment` entry per part, then `confirmed`.
pub fn confirm(
    conn: &mut DbConnection,
    payment: &Payment,
    now: NaiveDateTime,
) -> Result<(), PaymentError> {
    db::lock_for_update(conn, LockTarget::Payment, &payment.id)?;
    let reference = payment
        .transfer_reference
        .clone()
        .unwrap_or_else(|| payment.provider_reference.clone());
    for part in payment.allocations(conn)? {
        ledger::book(
            conn,
            &NewEntry {
                campaign_id: &payment.campaign_id,
                bureau_id: &part.bureau_id,
                attachment_id: part.attachment_id.as_deref(),
                kind: LedgerEntryKind::Payment,
                amount_cents: part.amount_cents,
                reference: Some(&reference),
                declaration_id: None,
                payment_id: Some(&payment.id),
            },
            now,
        )?;
    }
    Payment::settle(conn, &payment.id, PaymentStatus::Confirmed, None, now)?;
    Ok(())
}

/// Marks a pending payment failed: nothing is booked, its parts are no longer reserved.
pub fn fail(
    conn: &mut DbConnection,
    payment: &Payment,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), PaymentError> {
    Payment::settle(conn, &payment.id, PaymentStatus::Failed, Some(reason), now)?;
    Ok(())
}

/// Fails the pending payments past their expiry (those of `firm_id` when given, at most
/// `limit`), each under its own lock and read again under it, so that a confirmation that got
/// there first wins. Returns those it failed.
pub fn expire_overdue(
    conn: &mut DbConnection,
    firm_id: Option<&str>,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Payment>, PaymentError> {
    let mut expired = Vec::new();
    for payment in Payment::expired(conn, firm_id, now, limit)? {
        if let Some(payment) = lock_pending(conn, &payment.id)? {
            fail(conn, &payment, EXPIRED, now)?;
            expired.push(payment);
        }
    }
    Ok(expired)
}

/// Cancels a pending payment for its payer and returns it cancelled; `None` when it is no
/// longer pending (confirmed, failed or expired meanwhile). What it reserved may be paid again
/// at once.
pub fn cancel(
    conn: &mut DbConnection,
    payment_id: &str,
    now: NaiveDateTime,
) -> Result<Option<Payment>, PaymentError> {
    let Some(mut payment) = lock_pending(conn, payment_id)? else {
        return Ok(None);
    };
    fail(conn, &payment, CANCELLED, now)?;
    payment.status = PaymentStatus::Failed;
    payment.failure_reason = Some(CANCELLED.to_owned());
    payment.updated_at = now;
    Ok(Some(payment))
}

/// The payment under its lock, if it is still pending once the lock is held.
fn lock_pending(
    conn: &mut DbConnection,
    payment_id: &str,
) -> Result<Option<Payment>, PaymentError> {
    db::lock_for_update(conn, LockTarget::Payment, payment_id)?;
    Ok(Payment::find(conn, payment_id)?.filter(|p| p.status == PaymentStatus::Pending))
}
