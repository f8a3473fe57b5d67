//! What a regional council reads and writes of its region: campaigns with their dates, the
//! region's bureaux, its own ledger entries (refunds, credits, transfers received, each with a
//! reason and who booked it), the refused payment notifications and their resolution, and the
//! rows of its exports. Scope (which region) is the caller's business: every function here takes
//! the region and never reaches outside it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{
    new_id,
    payments::Payment,
    registry::{Bureau, Firm},
    schema::{
        accounts, attachments, bureaux, campaigns, declarations, firms, ledger_entries, members,
        payment_allocations, payments, webhook_events,
    },
    DbConnection,
};
use crate::domain::states::{DeclarationState, LedgerEntryKind, WebhookOutcome};

/// A campaign as the council manages it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct CampaignDates {
    pub id: String,
    pub region_code: String,
    pub year: i32,
    pub is_open: bool,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

impl CampaignDates {
    /// The region's campaigns, newest year first.
    pub fn of_region(conn: &mut DbConnection, region_code: &str) -> QueryResult<Vec<Self>> {
        campaigns::table
            .filter(campaigns::region_code.eq(region_code))
            .order(campaigns::year.desc())
            .select(Self::as_select())
            .load(conn)
    }

    /// The region's campaign of `year`.
    pub fn find(
        conn: &mut DbConnection,
        region_code: &str,
        year: i32,
    ) -> QueryResult<Option<Self>> {
        campaigns::table
            .filter(campaigns::region_code.eq(region_code))
            .filter(campaigns::year.eq(year))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Creates the campaign of `year`, or sets its state and dates: the stored campaign after.
    pub fn put(
        conn: &mut DbConnection,
        region_code: &str,
        year: i32,
        is_open: bool,
        opens_on: Option<NaiveDate>,
        closes_on: Option<NaiveDate>,
        now: NaiveDateTime,
    ) -> QueryResult<Self> {
        match Self::find(conn, region_code, year)? {
            Some(found) => {
                diesel::update(campaigns::table.find(&found.id))
                    .set((
                        campaigns::is_open.eq(is_open),
                        campaigns::opens_on.eq(opens_on),
                        campaigns::closes_on.eq(closes_on),
                        campaigns::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            None => {
                // In a savepoint: of two first PUTs at once, the second finds the row taken and
                // updates it instead (a failed statement would abort the transaction on
                // PostgreSQL).
                let inserted = conn.transaction(|conn| {
                    diesel::insert_into(campaigns::table)
                        .values((
                            campaigns::id.eq(new_id()),
                            campaigns::region_code.eq(region_code),
                            campaigns::year.eq(year),
                            campaigns::is_open.eq(is_open),
                            campaigns::opens_on.eq(opens_on),
                            campaigns::closes_on.eq(closes_on),
                            campaigns::created_at.eq(now),
                            campaigns::updated_at.eq(now),
                        ))
                        .execute(conn)
                });
                match inserted {
                    Ok(_) => {}
                    Err(e) if super::is_unique_violation(&e) => {
                        return Self::put(
                            conn,
                            region_code,
                            year,
                            is_open,
                            opens_on,
                            closes_on,
                            now,
                        )
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Self::find(conn, region_code, year)?.ok_or(diesel::result::Error::NotFound)
    }
}

/// The region's bureaux with their firm, by firm then bureau (those of `firm_ref` only when given).
pub fn bureaux_of_region(
    conn: &mut DbConnection,
    region_code: &str,
    firm_ref: Option<&str>,
) -> QueryResult<Vec<(Bureau, Firm)>> {
    let mut query = bureaux::table
        .inner_join(firms::table)
        .filter(bureaux::region_code.eq(region_code))
        .into_boxed();
    if let Some(firm_ref) = firm_ref {
        query = query.filter(firms::firm_ref.eq(firm_ref.to_owned()));
    }
    query
        .order((
            firms::firm_ref,
            bureaux::inscription_type,
            bureaux::bureau_ref,
        ))
        .select((Bureau::as_select(), Firm::as_select()))
        .load(conn)
}

/// The region's bureau `bureau_ref`.
pub fn bureau_of_region(
    conn: &mut DbConnection,
    region_code: &str,
    bureau_ref: &str,
) -> QueryResult<Option<(Bureau, Firm)>> {
    bureaux::table
        .inner_join(firms::table)
        .filter(bureaux::region_code.eq(region_code))
        .filter(bureaux::bureau_ref.eq(bureau_ref))
        .select((Bureau::as_select(), Firm::as_select()))
        .first(conn)
        .optional()
}

/// A ledger entry the council books itself.
#[derive(Debug, Clone)]
pub struct CouncilEntry<'a> {
    pub campaign_id: &'a str,
    pub bureau_id: &'a str,
    pub kind: LedgerEntryKind,
    pub amount_cents: i64,
    /// What the entry is (`council_refund`, `council_credit`, `transfer_received`).
    pub reference: &'a str,
    pub reason: &'a str,
    pub booked_by: &'a str,
    pub payment_id: Option<&'a str>,
}

/// The id of the entry booked.
pub fn book(
    conn: &mut DbConnection,
    entry: &CouncilEntry<'_>,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::id.eq(&id),
            ledger_entries::campaign_id.eq(entry.campaign_id),
            ledger_entries::bureau_id.eq(entry.bureau_id),
            ledger_entries::attachment_id.eq(None::<String>),
            ledger_entries::entry_kind.eq(entry.kind),
            ledger_entries::amount_cents.eq(entry.amount_cents),
            ledger_entries::reference.eq(entry.reference),
            ledger_entries::created_at.eq(now),
            ledger_entries::payment_id.eq(entry.payment_id),
            ledger_entries::reason.eq(entry.reason),
            ledger_entries::booked_by.eq(entry.booked_by),
        ))
        .execute(conn)?;
    Ok(id)
}

/// An entry of a bureau's ledger, as the council reads it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_entries)]
pub struct LedgerLine {
    pub id: String,
    #[diesel(column_name = entry_kind)]
    pub kind: LedgerEntryKind,
    pub amount_cents: i64,
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub booked_by: Option<String>,
    pub payment_id: Option<String>,
    pub declaration_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The ledger of a bureau for a campaign, oldest first.
pub fn ledger_of(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_id: &str,
) -> QueryResult<Vec<LedgerLine>> {
    ledger_entries::table
        .filter(ledger_entries::campaign_id.eq(campaign_id))
        .filter(ledger_entries::bureau_id.eq(bureau_id))
        .order((ledger_entries::created_at, ledger_entries::id))
        .select(LedgerLine::as_select())
        .load(conn)
}

/// A refused payment notification as the council sees it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_events)]
pub struct RefusedEvent {
    pub provider: String,
    pub event_id: String,
    pub event_type: String,
    pub payment_id: Option<String>,
    pub received_at: NaiveDateTime,
    pub outcome: WebhookOutcome,
    pub payment_reference: Option<String>,
    pub detail: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

const REFUSED: [WebhookOutcome; 3] = [
    WebhookOutcome::AmountMismatch,
    WebhookOutcome::NotPending,
    WebhookOutcome::UnknownPayment,
];

impl RefusedEvent {
    /// Refused events about the region's payments, and those naming no known payment (they
    /// belong to no region until someone claims them), newest first; unresolved ones only
    /// unless `resolved`.
    pub fn of_region(
        conn: &mut DbConnection,
        region_code: &str,
        resolved: bool,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let in_region = payments::table
            .filter(payments::region_code.eq(region_code.to_owned()))
            .select(payments::id);
        let mut query = webhook_events::table
            .filter(webhook_events::outcome.eq_any(REFUSED))
            .filter(
                webhook_events::payment_id
                    .is_null()
                    .or(webhook_events::payment_id.eq_any(in_region.nullable())),
            )
            .into_boxed();
        if !resolved {
            query = query.filter(webhook_events::resolved_at.is_null());
        }
        query
            .order((webhook_events::received_at.desc(), webhook_events::event_id))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// One of [`RefusedEvent::of_region`]'s events, resolved or not.
    pub fn find_in_region(
        conn: &mut DbConnection,
        region_code: &str,
        provider: &str,
        event_id: &str,
    ) -> QueryResult<Option<Self>> {
        let found: Option<Self> = webhook_events::table
            .filter(webhook_events::provider.eq(provider))
            .filter(webhook_events::event_id.eq(event_id))
            .filter(webhook_events::outcome.eq_any(REFUSED))
            .select(Self::as_select())
            .first(conn)
            .optional()?;
        let Some(event) = found else {
            return Ok(None);
        };
        let Some(payment_id) = &event.payment_id else {
            return Ok(Some(event));
        };
        let region: Option<String> = payments::table
            .find(payment_id)
            .select(payments::region_code)
            .first(conn)
            .optional()?;
        Ok((region.as_deref() == Some(region_code)).then_some(event))
    }

    /// Marks the event resolved, unless it already is: true when this call resolved it.
    pub fn resolve(
        &self,
        conn: &mut DbConnection,
        by: &str,
        resolution: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::update(
            webhook_events::table
                .filter(webhook_events::provider.eq(&self.provider))
                .filter(webhook_events::event_id.eq(&self.event_id))
                .filter(webhook_events::resolved_at.is_null()),
        )
        .set((
            webhook_events::resolved_at.eq(now),
            webhook_events::resolved_by.eq(by),
            webhook_events::resolution.eq(resolution),
        ))
        .execute(conn)
        .map(|n| n == 1)
    }
}

/// One line of the declarations export: a person attached to a bureau, with the version
/// that counts (the submitted one, else the draft).
#[derive(Debug, Clone)]
pub struct DeclarationLine {
    pub firm_ref: String,
    pub firm_name: String,
    pub bureau_ref: String,
    /// `PP` or `PM`.
    pub person_kind: String,
    /// SUPRA number (PP) or firm reference (PM).
    pub person_ref: String,
    pub person_name: String,
    pub state: DeclarationState,
    pub version: Option<i32>,
    pub pp_category: Option<String>,
    pub headcount_hundredths: Option<i32>,
    pub amount_cents: Option<i64>,
    pub submitted_at: Option<NaiveDateTime>,
}

type DeclarationRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    DeclarationState,
);

/// Every attachment of the campaign with its current declaration, by firm, bureau, person.
pub fn declaration_lines(
    conn: &mut DbConnection,
    campaign_id: &str,
) -> QueryResult<Vec<DeclarationLine>> {
    let (person_firms, person_members) = diesel::alias!(firms as person_firms, members as pm);
    let rows: Vec<(String, DeclarationRow)> = attachments::table
        .inner_join(bureaux::table.inner_join(firms::table))
        .left_join(
            person_members
                .on(attachments::member_id.eq(person_members.field(members::id).nullable())),
        )
        .left_join(
            person_firms.on(attachments::firm_id.eq(person_firms.field(firms::id).nullable())),
        )
        .filter(attachments::campaign_id.eq(campaign_id))
        .order((
            firms::firm_ref,
            bureaux::bureau_ref,
            attachments::person_kind,
        ))
        .select((
            attachments::id,
            (
                firms::firm_ref,
                firms::name,
                bureaux::bureau_ref,
                attachments::person_kind,
                person_members.field(members::supra_number).nullable(),
                person_members
                    .field(members::last_name)
                    .concat(" ")
                    .concat(person_members.field(members::first_name))
                    .nullable(),
                person_firms.field(firms::firm_ref).nullable(),
                person_firms.field(firms::name).nullable(),
                attachments::declaration_state,
            ),
        ))
        .load(conn)?;
    // By subquery, not by a list of ids: a large region would pass SQLite's limit of bound values.
    let of_campaign = attachments::table
        .filter(attachments::campaign_id.eq(campaign_id.to_owned()))
        .select(attachments::id);
    type Version = (
        String,
        i32,
        String,
        Option<String>,
        Option<i32>,
        i64,
        Option<NaiveDateTime>,
    );
    let versions: Vec<Version> = declarations::table
        .filter(declarations::attachment_id.eq_any(of_campaign))
        .filter(declarations::superseded_at.is_null())
        .select((
            declarations::attachment_id,
            declarations::version,
            declarations::status,
            declarations::pp_category,
            declarations::headcount_hundredths,
            declarations::amount_cents,
            declarations::submitted_at,
        ))
        .load(conn)?;
    // The submitted version wins over a draft of a correction in progress.
    let mut current: std::collections::HashMap<String, Version> = Default::default();
    for v in versions {
        let keep = match current.get(&v.0) {
            None => true,
            Some(existing) => existing.2 != "submitted" && v.2 == "submitted",
        };
        if keep {
            current.insert(v.0.clone(), v);
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, (firm_ref, firm_name, bureau_ref, kind, supra, name, pm_ref, pm_name, state))| {
                let version = current.get(&id);
                DeclarationLine {
                    firm_ref,
                    firm_name,
                    bureau_ref,
                    person_ref: supra.or(pm_ref).unwrap_or_default(),
                    person_name: name.or(pm_name).unwrap_or_default(),
                    person_kind: kind,
                    state,
                    version: version.map(|v| v.1),
                    pp_category: version.and_then(|v| v.3.clone()),
                    headcount_hundredths: version.and_then(|v| v.4),
                    amount_cents: version.map(|v| v.5),
                    submitted_at: version.and_then(|v| v.6),
                }
            },
        )
        .collect())
}

/// A payment with the bureaux it settles (reference, amount) and its payer's identifier.
pub type PaymentLine = (Payment, Vec<(String, i64)>, Option<String>);

/// The region's payments of a campaign, oldest first, with the bureaux each settles.
pub fn payments_of_campaign(
    conn: &mut DbConnection,
    campaign_id: &str,
) -> QueryResult<Vec<PaymentLine>> {
    let found: Vec<Payment> = payments::table
        .filter(payments::campaign_id.eq(campaign_id))
        .order((payments::created_at, payments::id))
        .select(Payment::as_select())
        .load(conn)?;
    let of_campaign = payments::table
        .filter(payments::campaign_id.eq(campaign_id.to_owned()))
        .select(payments::id);
    let parts: Vec<(String, String, i64)> = payment_allocations::table
        .inner_join(bureaux::table.on(bureaux::id.eq(payment_allocations::bureau_id)))
        .filter(payment_allocations::payment_id.eq_any(of_campaign))
        .order((
            payment_allocations::payment_id,
            payment_allocations::position,
        ))
        .select((
            payment_allocations::payment_id,
            bureaux::bureau_ref,
            payment_allocations::amount_cents,
        ))
        .load(conn)?;
    let mut payers: Vec<String> = found.iter().filter_map(|p| p.created_by.clone()).collect();
    payers.sort_unstable();
    payers.dedup();
    let identifiers: std::collections::HashMap<String, String> = accounts::table
        .filter(accounts::id.eq_any(&payers))
        .select((accounts::id, accounts::identifier))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(found
        .into_iter()
        .map(|payment| {
            let own: Vec<(String, i64)> = parts
                .iter()
                .filter(|(id, _, _)| *id == payment.id)
                .map(|(_, bureau_ref, amount)| (bureau_ref.clone(), *amount))
                .collect();
            let payer = payment
                .created_by
                .as_ref()
                .and_then(|id| identifiers.get(id).cloned());
            (payment, own, payer)
        })
        .collect())
}
