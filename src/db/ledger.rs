//! Writing to the append-only ledger. Nothing here updates or deletes an entry: a correction is
//! a cancellation plus a new charge.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{new_id, schema::ledger_entries, sum_cents, DbConnection};
use crate::domain::states::LedgerEntryKind;

/// The `reference` of the charges of a bureau's own fixed part.
pub const BUREAU_FIXED_PART: &str = "bureau_fixed_part";

/// An entry to book.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub campaign_id: &'a str,
    pub bureau_id: &'a str,
    /// The person concerned; `None` for the bureau's own part.
    pub attachment_id: Option<&'a str>,
    /// What the entry records.
    pub kind: LedgerEntryKind,
    pub amount_cents: i64,
    pub reference: Option<&'a str>,
    pub declaration_id: Option<&'a str>,
    pub payment_id: Option<&'a str>,
}

/// Books an entry. A zero amount books nothing (an exempt honoraire owes nothing to record).
pub fn book(conn: &mut DbConnection, entry: &NewEntry<'_>, now: NaiveDateTime) -> QueryResult<()> {
    if entry.amount_cents == 0 {
        return Ok(());
    }
    diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::id.eq(new_id()),
            ledger_entries::campaign_id.eq(entry.campaign_id),
            ledger_entries::bureau_id.eq(entry.bureau_id),
            ledger_entries::attachment_id.eq(entry.attachment_id),
            ledger_entries::entry_kind.eq(entry.kind),
            ledger_entries::amount_cents.eq(entry.amount_cents),
            ledger_entries::reference.eq(entry.reference),
            ledger_entries::created_at.eq(now),
            ledger_entries::declaration_id.eq(entry.declaration_id),
            ledger_entries::payment_id.eq(entry.payment_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The bureau's fixed part as currently called: its charges less their cancellations.
pub fn bureau_fixed_part(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_id: &str,
) -> QueryResult<i64> {
    let sums: Vec<(LedgerEntryKind, Option<i64>)> = ledger_entries::table
        .filter(ledger_entries::campaign_id.eq(campaign_id))
        .filter(ledger_entries::bureau_id.eq(bureau_id))
        .filter(ledger_entries::attachment_id.is_null())
        .filter(ledger_entries::reference.eq(BUREAU_FIXED_PART))
        .group_by(ledger_entries::entry_kind)
        .select((
            ledger_entries::entry_kind,
            sum_cents(ledger_entries::amount_cents),
        ))
        .load(conn)?;
    Ok(sums
        .into_iter()
        .fold(0, |called: i64, (kind, sum)| match kind {
            LedgerEntryKind::Charge => called.saturating_add(sum.unwrap_or(0)),
            LedgerEntryKind::ChargeCancellation => called.saturating_sub(sum.unwrap_or(0)),
            // Money moves settle the fixed part; they do not change what is called.
            LedgerEntryKind::Payment | LedgerEntryKind::Refund => called,
        }))
}

/// Calls the bureau's fixed part at `amount_cents`: nothing when it already is, otherwise
/// cancels what was called and charges the new amount. True when something was booked.
pub fn call_bureau_fixed_part(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_id: &str,
    amount_cents: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let called = bureau_fixed_part(conn, campaign_id, bureau_id)?;
    if called == amount_cents {
        return Ok(false);
    }
    let entry = |kind, amount_cents| NewEntry {
        campaign_id,
        bureau_id,
        attachment_id: None,
        kind,
        amount_cents,
        reference: Some(BUREAU_FIXED_PART),
        declaration_id: None,
        payment_id: None,
    };
    book(
        conn,
        &entry(LedgerEntryKind::ChargeCancellation, called),
        now,
    )?;
    book(conn, &entry(LedgerEntryKind::Charge, amount_cents), now)?;
    Ok(true)
}
