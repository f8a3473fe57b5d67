//! Payments, their allocation, the provider notifications already seen, and what each item of a
//! set of bureaux still owes.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    is_unique_violation,
    schema::{ledger_entries, payment_allocations, payments, webhook_events},
    sum_cents, DbConnection,
};
use crate::{
    domain::allocation::Due,
    domain::states::{LedgerEntryKind, PaymentStatus, WebhookOutcome},
};

/// A payment.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
pub struct Payment {
    pub id: String,
    pub campaign_id: String,
    pub region_code: String,
    pub firm_id: String,
    /// `None` for a grouped payment.
    pub bureau_id: Option<String>,
    /// `transfer`, `card` or `direct_debit`.
    pub method: String,
    pub status: PaymentStatus,
    pub amount_cents: i64,
    pub transfer_reference: Option<String>,
    pub provider: String,
    pub provider_reference: String,
    pub checkout_url: Option<String>,
    pub failure_reason: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    /// The payer's `Idempotency-Key` (scoped to the payer), so that a retry finds this payment.
    pub idempotency_key: Option<String>,
    /// While pending: when it stops reserving what it pays (see [`crate::config::PaymentExpiry`]).
    pub expires_at: Option<NaiveDateTime>,
}

/// One part of a payment.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_allocations)]
pub struct Allocation {
    pub payment_id: String,
    /// Order of the part, from 0.
    pub position: i32,
    pub bureau_id: String,
    pub attachment_id: Option<String>,
    pub amount_cents: i64,
}

impl Payment {
    /// Inserts the payment and its parts.
    pub fn insert(&self, conn: &mut DbConnection, parts: &[Allocation]) -> QueryResult<()> {
        diesel::insert_into(payments::table)
            .values(self)
            .execute(conn)?;
        // One statement per part: multi-row inserts do not compile under `MultiConnection`.
        for part in parts {
            diesel::insert_into(payment_allocations::table)
                .values(part)
                .execute(conn)?;
        }
        Ok(())
    }

    /// The live (pending or confirmed) payment `actor` made with `key`, if any.
    pub fn find_by_idempotency_key(
        conn: &mut DbConnection,
        actor: &str,
        key: &str,
    ) -> QueryResult<Option<Self>> {
        payments::table
            .filter(payments::created_by.eq(actor))
            .filter(payments::idempotency_key.eq(key))
            .filter(payments::status.ne(PaymentStatus::Failed))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Pending payments past their expiry, the oldest first, at most `limit`; only those of
    /// `firm_id` when given.
    pub fn expired(
        conn: &mut DbConnection,
        firm_id: Option<&str>,
        now: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = payments::table
            .filter(payments::status.eq(PaymentStatus::Pending))
            .filter(payments::expires_at.le(now))
            // One order for every instance's sweeper: their locks never cross.
            .order((payments::expires_at, payments::id))
            .limit(limit)
            .select(Self::as_select())
            .into_boxed();
        if let Some(firm_id) = firm_id {
            query = query.filter(payments::firm_id.eq(firm_id));
        }
        query.load(conn)
    }

    /// One payment.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        payments::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// One payment of a region.
    pub fn find_in_region(
        conn: &mut DbConnection,
        id: &str,
        region_code: &str,
    ) -> QueryResult<Option<Self>> {
        payments::table
            .find(id)
            .filter(payments::region_code.eq(region_code))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The payment a provider knows by `reference`.
    pub fn find_by_provider_reference(
        conn: &mut DbConnection,
        provider: &str,
        reference: &str,
    ) -> QueryResult<Option<Self>> {
        payments::table
            .filter(payments::provider.eq(provider))
            .filter(payments::provider_reference.eq(reference))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Records how the provider names the payment, where it expects the payer, and for a
    /// transfer the reference to quote.
    pub fn set_checkout(
        conn: &mut DbConnection,
        id: &str,
        provider_reference: &str,
        checkout_url: Option<&str>,
        transfer_reference: Option<&str>,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(payments::table.find(id))
            .set((
                payments::provider_reference.eq(provider_reference),
                payments::checkout_url.eq(checkout_url),
                payments::transfer_reference.eq(transfer_reference),
                payments::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Moves a pending payment to `confirmed` or `failed`.
    pub fn settle(
        conn: &mut DbConnection,
        id: &str,
        new_status: PaymentStatus,
        failure_reason: Option<&str>,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        let confirmed_at = (new_status == PaymentStatus::Confirmed).then_some(now);
        diesel::update(
            payments::table
                .find(id)
                .filter(payments::status.eq(PaymentStatus::Pending)),
        )
        .set((
            payments::status.eq(new_status),
            payments::failure_reason.eq(failure_reason),
            payments::confirmed_at.eq(confirmed_at),
            payments::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
    }

    /// The parts of a payment, in order.
    pub fn allocations(&self, conn: &mut DbConnection) -> QueryResult<Vec<Allocation>> {
        payment_allocations::table
            .filter(payment_allocations::payment_id.eq(&self.id))
            .order(payment_allocations::position)
            .select(Allocation::as_select())
            .load(conn)
    }

    /// Confirmed payments of a campaign with a part for the bureau, oldest first.
    pub fn confirmed_for_bureau(
        conn: &mut DbConnection,
        campaign_id: &str,
        bureau_id: &str,
    ) -> QueryResult<Vec<Self>> {
        Self::with_part_for(conn, campaign_id, bureau_id, PaymentStatus::Confirmed)
    }

    /// Pending transfers of a campaign with a part for the bureau, oldest first.
    pub fn pending_transfers_for_bureau(
        conn: &mut DbConnection,
        campaign_id: &str,
        bureau_id: &str,
    ) -> QueryResult<Vec<Self>> {
        let pending = Self::with_part_for(conn, campaign_id, bureau_id, PaymentStatus::Pending)?;
        Ok(pending
            .into_iter()
            .filter(|p| p.method == "transfer")
            .collect())
    }

    /// The payments of a campaign in `status` with a part for the bureau, by confirmation then
    /// creation (a pending payment has no confirmation yet).
    fn with_part_for(
        conn: &mut DbConnection,
        campaign_id: &str,
        bureau_id: &str,
        status: PaymentStatus,
    ) -> QueryResult<Vec<Self>> {
        let ids = payment_allocations::table
            .filter(payment_allocations::bureau_id.eq(bureau_id))
            .select(payment_allocations::payment_id);
        payments::table
            .filter(payments::id.eq_any(ids))
            .filter(payments::campaign_id.eq(campaign_id))
            .filter(payments::status.eq(status))
            .order((payments::confirmed_at, payments::created_at, payments::id))
            .select(Self::as_select())
            .load(conn)
    }

    /// The bureaux a payment has parts for.
    pub fn bureau_ids(conn: &mut DbConnection, payment_id: &str) -> QueryResult<Vec<String>> {
        let mut ids: Vec<String> = payment_allocations::table
            .filter(payment_allocations::payment_id.eq(payment_id))
            .select(payment_allocations::bureau_id)
            .load(conn)?;
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}

/// What the pending payments of the campaign reserve on each of `bureau_ids`, in cents (the
/// same reservations [`dues`] deducts). One grouped query; bureaux with none are absent.
pub fn reserved_by_bureau(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_ids: &[String],
) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, Option<i64>)> = payment_allocations::table
        .inner_join(payments::table)
        .filter(payments::campaign_id.eq(campaign_id))
        .filter(payments::status.eq(PaymentStatus::Pending))
        .filter(payment_allocations::bureau_id.eq_any(bureau_ids))
        .group_by(payment_allocations::bureau_id)
        .select((
            payment_allocations::bureau_id,
            sum_cents(payment_allocations::amount_cents),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(bureau_id, sum)| (bureau_id, sum.unwrap_or(0)))
        .collect())
}

/// A verified notification, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_events)]
pub struct WebhookEvent {
    pub provider: String,
    /// The provider's id of the event: each is processed once.
    pub event_id: String,
    /// `payment.succeeded` or `payment.failed`.
    pub event_type: String,
    /// The payment it named, when one has its reference.
    pub payment_id: Option<String>,
    pub received_at: NaiveDateTime,
    pub outcome: WebhookOutcome,
    /// The reference it named (kept also when no payment has it).
    pub payment_reference: Option<String>,
    /// Why it was refused, for the regional council (amounts, states).
    pub detail: Option<String>,
}

impl WebhookEvent {
    /// Keeps the event; false when that event was already kept (a replay).
    pub fn record(&self, conn: &mut DbConnection) -> QueryResult<bool> {
        // A savepoint, so that the unique violation of a replay leaves the caller's transaction
        // usable.
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(webhook_events::table)
                .values(self)
                .execute(conn)
        });
        match inserted {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The refused events (amount mismatch, not pending, unknown payment), newest first: what
    /// the regional council has to look at.
    pub fn refused(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Self>> {
        webhook_events::table
            .filter(webhook_events::outcome.eq_any([
                WebhookOutcome::AmountMismatch,
                WebhookOutcome::NotPending,
                WebhookOutcome::UnknownPayment,
            ]))
            .order((webhook_events::received_at.desc(), webhook_events::event_id))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }
}

/// Ledger sums per (bureau, person, kind), with the first entry's instant.
type LedgerSum = (
    String,
    Option<String>,
    LedgerEntryKind,
    Option<i64>,
    Option<NaiveDateTime>,
);

/// What each item of `bureau_ids` still owes for the campaign, in the allocation order: bureaux
/// as given; in each, its own part first, then persons by the date their first charge was
/// booked. Ledger balances less the parts reserved by pending payments. Two grouped queries.
pub fn dues(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_ids: &[String],
) -> QueryResult<Vec<Due>> {
    type Key = (String, Option<String>);
    let rows: Vec<LedgerSum> = ledger_entries::table
        .filter(ledger_entries::campaign_id.eq(campaign_id))
        .filter(ledger_entries::bureau_id.eq_any(bureau_ids))
        .group_by((
            ledger_entries::bureau_id,
            ledger_entries::attachment_id,
            ledger_entries::entry_kind,
        ))
        .select((
            ledger_entries::bureau_id,
            ledger_entries::attachment_id,
            ledger_entries::entry_kind,
            sum_cents(ledger_entries::amount_cents),
            diesel::dsl::min(ledger_entries::created_at),
        ))
        .load(conn)?;
    let mut owed: HashMap<Key, (i64, Option<NaiveDateTime>)> = HashMap::new();
    for (bureau_id, attachment_id, kind, sum, first) in rows {
        let entry = owed.entry((bureau_id, attachment_id)).or_default();
        let sum = sum.unwrap_or(0);
        match kind {
            LedgerEntryKind::Charge => {
                entry.0 = entry.0.saturating_add(sum);
                entry.1 = first;
            }
            LedgerEntryKind::ChargeCancellation | LedgerEntryKind::Payment => {
                entry.0 = entry.0.saturating_sub(sum)
            }
            // Money given back is owed again.
            LedgerEntryKind::Refund => entry.0 = entry.0.saturating_add(sum),
        }
    }
    let reserved: Vec<(String, Option<String>, Option<i64>)> = payment_allocations::table
        .inner_join(payments::table)
        .filter(payments::campaign_id.eq(campaign_id))
        .filter(payments::status.eq(PaymentStatus::Pending))
        .filter(payment_allocations::bureau_id.eq_any(bureau_ids))
        .group_by((
            payment_allocations::bureau_id,
            payment_allocations::attachment_id,
        ))
        .select((
            payment_allocations::bureau_id,
            payment_allocations::attachment_id,
            sum_cents(payment_allocations::amount_cents),
        ))
        .load(conn)?;
    for (bureau_id, attachment_id, sum) in reserved {
        let entry = owed.entry((bureau_id, attachment_id)).or_default();
        entry.0 = entry.0.saturating_sub(sum.unwrap_or(0));
    }
    let mut dues = Vec::with_capacity(owed.len());
    for bureau_id in bureau_ids {
        let mut items: Vec<(&Key, &(i64, Option<NaiveDateTime>))> =
            owed.iter().filter(|((b, _), _)| b == bureau_id).collect();
        items.sort_by(|((_, a1), (_, t1)), ((_, a2), (_, t2))| {
            a1.is_some()
                .cmp(&a2.is_some())
                .then(t1.cmp(t2))
                .then(a1.cmp(a2))
        });
        dues.extend(items.into_iter().map(|((b, a), (due, _))| Due {
            bureau_id: b.clone(),
            attachment_id: a.clone(),
            due_cents: *due,
        }));
    }
    Ok(dues)
}
