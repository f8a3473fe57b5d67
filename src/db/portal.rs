//! Portal queries: which bureaux an account may manage, and the dashboard's figures, computed
//! with aggregate SQL over the attachments and the ledger (a fixed number of queries per answer).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::{dsl::count_star, prelude::*};

use super::{
    registry::{Bureau, Campaign, Firm},
    schema::{
        accounts, attachments, bureau_managers, bureaux, campaigns, firm_responsables, firms,
        ledger_entries, members, personal_files, region_contacts,
    },
    DbConnection,
};
use crate::domain::states::{DeclarationState, LedgerEntryKind};

/// Who is looking: the account, and its register entry when it is a member's.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub account_id: String,
    pub member_id: Option<String>,
}

/// Ids of the bureaux `viewer` may manage: granted to the account, or of a firm the member is a
/// responsable of. Two indexed queries, whatever the number of regions.
pub fn visible_bureau_ids(conn: &mut DbConnection, viewer: &Viewer) -> QueryResult<Vec<String>> {
    let mut ids: Vec<String> = bureau_managers::table
        .filter(bureau_managers::account_id.eq(&viewer.account_id))
        .select(bureau_managers::bureau_id)
        .load(conn)?;
    if let Some(member_id) = &viewer.member_id {
        let firm_ids = firm_responsables::table
            .filter(firm_responsables::member_id.eq(member_id))
            .select(firm_responsables::firm_id);
        let owned: Vec<String> = bureaux::table
            .filter(bureaux::firm_id.eq_any(firm_ids))
            .select(bureaux::id)
            .load(conn)?;
        ids.extend(owned);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// True when the member is a responsable of the firm.
pub fn is_responsable(
    conn: &mut DbConnection,
    member_id: &str,
    firm_id: &str,
) -> QueryResult<bool> {
    let found: i64 = firm_responsables::table
        .filter(firm_responsables::member_id.eq(member_id))
        .filter(firm_responsables::firm_id.eq(firm_id))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The current campaign (latest year) of every region.
pub fn current_campaigns(conn: &mut DbConnection) -> QueryResult<HashMap<String, Campaign>> {
    let all: Vec<Campaign> = campaigns::table
        .order((campaigns::region_code, campaigns::year))
        .select(Campaign::as_select())
        .load(conn)?;
    let mut current = HashMap::new();
    for campaign in all {
        current.insert(campaign.region_code.clone(), campaign);
    }
    Ok(current)
}

/// The current campaign of one region.
pub fn current_campaign(
    conn: &mut DbConnection,
    region_code: &str,
) -> QueryResult<Option<Campaign>> {
    campaigns::table
        .filter(campaigns::region_code.eq(region_code))
        .order(campaigns::year.desc())
        .select(Campaign::as_select())
        .first(conn)
        .optional()
}

/// Number of visible bureaux per region.
pub fn bureau_counts_by_region(
    conn: &mut DbConnection,
    visible: &[String],
) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = bureaux::table
        .filter(bureaux::id.eq_any(visible))
        .group_by(bureaux::region_code)
        .select((bureaux::region_code, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Regions where the member has a personal file.
pub fn personal_file_regions(conn: &mut DbConnection, member_id: &str) -> QueryResult<Vec<String>> {
    personal_files::table
        .filter(personal_files::member_id.eq(member_id))
        .select(personal_files::region_code)
        .load(conn)
}

/// The email the regional council holds for this account: the member's personal file in the
/// region, or the RAC's contact record.
pub fn regional_file_email(
    conn: &mut DbConnection,
    viewer: &Viewer,
    region_code: &str,
) -> QueryResult<Option<String>> {
    if let Some(member_id) = &viewer.member_id {
        let email = personal_files::table
            .filter(personal_files::member_id.eq(member_id))
            .filter(personal_files::region_code.eq(region_code))
            .select(personal_files::email)
            .first::<String>(conn)
            .optional()?;
        if email.is_some() {
            return Ok(email);
        }
    }
    region_contacts::table
        .filter(region_contacts::account_id.eq(&viewer.account_id))
        .filter(region_contacts::region_code.eq(region_code))
        .select(region_contacts::email)
        .first(conn)
        .optional()
}

/// Writes `email` on the regional file(s) of the account in the region.
pub fn set_regional_file_email(
    conn: &mut DbConnection,
    viewer: &Viewer,
    region_code: &str,
    email: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if let Some(member_id) = &viewer.member_id {
        diesel::update(
            personal_files::table
                .filter(personal_files::member_id.eq(member_id))
                .filter(personal_files::region_code.eq(region_code)),
        )
        .set((
            personal_files::email.eq(email),
            personal_files::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    diesel::update(
        region_contacts::table
            .filter(region_contacts::account_id.eq(&viewer.account_id))
            .filter(region_contacts::region_code.eq(region_code)),
    )
    .set((
        region_contacts::email.eq(email),
        region_contacts::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// A visible bureau of a region with its firm, in firm order.
pub fn visible_bureaux_in_region(
    conn: &mut DbConnection,
    visible: &[String],
    region_code: &str,
) -> QueryResult<Vec<(Bureau, Firm)>> {
    bureaux::table
        .inner_join(firms::table)
        .filter(bureaux::id.eq_any(visible))
        .filter(bureaux::region_code.eq(region_code))
        .order((
            firms::firm_ref,
            bureaux::inscription_type,
            bureaux::bureau_ref,
        ))
        .select((Bureau::as_select(), Firm::as_select()))
        .load(conn)
}

/// One bureau by reference, if `viewer` may see it and it is in `region_code`.
pub fn visible_bureau(
    conn: &mut DbConnection,
    visible: &[String],
    region_code: &str,
    bureau_ref: &str,
) -> QueryResult<Option<(Bureau, Firm)>> {
    bureaux::table
        .inner_join(firms::table)
        .filter(bureaux::id.eq_any(visible))
        .filter(bureaux::region_code.eq(region_code))
        .filter(bureaux::bureau_ref.eq(bureau_ref))
        .select((Bureau::as_select(), Firm::as_select()))
        .first(conn)
        .optional()
}

/// A bureau by reference, whoever asks (management of grants checks rights itself).
pub fn bureau_by_ref(conn: &mut DbConnection, bureau_ref: &str) -> QueryResult<Option<Bureau>> {
    bureaux::table
        .filter(bureaux::bureau_ref.eq(bureau_ref))
        .select(Bureau::as_select())
        .first(conn)
        .optional()
}

/// Per-bureau figures of a campaign.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BureauFigures {
    /// Natural persons still to declare.
    pub remaining_pp: i64,
    /// Legal persons still to declare.
    pub remaining_pm: i64,
    /// Amount called (charges less cancelled charges), cents.
    pub total_cents: i64,
    /// Paid, cents.
    pub paid_cents: i64,
    /// Refunded, cents.
    pub refunded_cents: i64,
    /// Reserved by pending payments (not booked yet), cents.
    pub pending_cents: i64,
}

impl BureauFigures {
    /// What remains to pay: charges − payments + refunds (negative when overpaid).
    pub fn balance_cents(&self) -> i64 {
        self.total_cents
            .saturating_sub(self.paid_cents)
            .saturating_add(self.refunded_cents)
    }

    /// What a payment may settle now: the balance less what pending payments reserve, never
    /// below zero: the rule of [`crate::domain::allocation::payable`], over these bureaux
    /// together (a credit of one counts against the debt of another).
    pub fn payable_cents(&self) -> i64 {
        self.balance_cents()
            .saturating_sub(self.pending_cents)
            .max(0)
    }

    /// Adds another bureau's figures (firm and overall totals).
    pub fn add(&mut self, other: &BureauFigures) {
        self.remaining_pp += other.remaining_pp;
        self.remaining_pm += other.remaining_pm;
        self.total_cents = self.total_cents.saturating_add(other.total_cents);
        self.paid_cents = self.paid_cents.saturating_add(other.paid_cents);
        self.refunded_cents = self.refunded_cents.saturating_add(other.refunded_cents);
        self.pending_cents = self.pending_cents.saturating_add(other.pending_cents);
    }
}

/// The figures of `bureau_ids` for `campaign_id`: three grouped queries, whatever the number of
/// bureaux.
pub fn bureau_figures(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_ids: &[String],
) -> QueryResult<HashMap<String, BureauFigures>> {
    let mut figures: HashMap<String, BureauFigures> = bureau_ids
        .iter()
        .map(|id| (id.clone(), BureauFigures::default()))
        .collect();
    let remaining: Vec<(String, String, i64)> = attachments::table
        .filter(attachments::campaign_id.eq(campaign_id))
        .filter(attachments::bureau_id.eq_any(bureau_ids))
        .filter(attachments::declaration_state.ne(DeclarationState::Submitted))
        .group_by((attachments::bureau_id, attachments::person_kind))
        .select((
            attachments::bureau_id,
            attachments::person_kind,
            count_star(),
        ))
        .load(conn)?;
    for (bureau_id, kind, count) in remaining {
        let entry = figures.entry(bureau_id).or_default();
        if kind == "PP" {
            entry.remaining_pp = count;
        } else {
            entry.remaining_pm = count;
        }
    }
    let sums: Vec<(String, LedgerEntryKind, Option<i64>)> = ledger_entries::table
        .filter(ledger_entries::campaign_id.eq(campaign_id))
        .filter(ledger_entries::bureau_id.eq_any(bureau_ids))
        .group_by((ledger_entries::bureau_id, ledger_entries::entry_kind))
        .select((
            ledger_entries::bureau_id,
            ledger_entries::entry_kind,
            super::sum_cents(ledger_entries::amount_cents),
        ))
        .load(conn)?;
    for (bureau_id, kind, sum) in sums {
        let entry = figures.entry(bureau_id).or_default();
        let sum = sum.unwrap_or(0);
        match kind {
            LedgerEntryKind::Charge => entry.total_cents = entry.total_cents.saturating_add(sum),
            LedgerEntryKind::ChargeCancellation => {
                entry.total_cents = entry.total_cents.saturating_sub(sum)
            }
            LedgerEntryKind::Payment => entry.paid_cents = entry.paid_cents.saturating_add(sum),
            LedgerEntryKind::Refund => {
                entry.refunded_cents = entry.refunded_cents.saturating_add(sum)
            }
        }
    }
    for (bureau_id, reserved) in super::payments::reserved_by_bureau(conn, campaign_id, bureau_ids)?
    {
        figures.entry(bureau_id).or_default().pending_cents = reserved;
    }
    Ok(figures)
}

/// A person attached to a bureau, with its amounts.
#[derive(Debug, Clone)]
pub struct AttachedPerson {
    pub attachment_id: String,
    /// `PP` or `PM`.
    pub person_kind: String,
    pub name: String,
    /// SUPRA number (PP) or firm reference (PM).
    pub reference: String,
    pub declaration_state: DeclarationState,
    pub called_cents: i64,
    pub paid_cents: i64,
}

/// The persons attached to a bureau for a campaign, PP then PM, by name. Three queries.
pub fn attached_persons(
    conn: &mut DbConnection,
    campaign_id: &str,
    bureau_id: &str,
) -> QueryResult<Vec<AttachedPerson>> {
    let pp: Vec<(String, String, String, String, DeclarationState)> = attachments::table
        .inner_join(members::table.on(attachments::member_id.eq(members::id.nullable())))
        .filter(attachments::campaign_id.eq(campaign_id))
        .filter(attachments::bureau_id.eq(bureau_id))
        .order((members::last_name, members::first_name))
        .select((
            attachments::id,
            members::last_name,
            members::first_name,
            members::supra_number,
            attachments::declaration_state,
        ))
        .load(conn)?;
    let pm: Vec<(String, String, String, DeclarationState)> = attachments::table
        .inner_join(firms::table.on(attachments::firm_id.eq(firms::id.nullable())))
        .filter(attachments::campaign_id.eq(campaign_id))
        .filter(attachments::bureau_id.eq(bureau_id))
        .order(firms::name)
        .select((
            attachments::id,
            firms::name,
            firms::firm_ref,
            attachments::declaration_state,
        ))
        .load(conn)?;
    let sums: Vec<(Option<String>, LedgerEntryKind, Option<i64>)> = ledger_entries::table
        .filter(ledger_entries::campaign_id.eq(campaign_id))
        .filter(ledger_entries::bureau_id.eq(bureau_id))
        .filter(ledger_entries::attachment_id.is_not_null())
        .group_by((ledger_entries::attachment_id, ledger_entries::entry_kind))
        .select((
            ledger_entries::attachment_id,
            ledger_entries::entry_kind,
            super::sum_cents(ledger_entries::amount_cents),
        ))
        .load(conn)?;
    let mut amounts: HashMap<String, (i64, i64)> = HashMap::new();
    for (attachment_id, kind, sum) in sums {
        let Some(attachment_id) = attachment_id else {
            continue;
        };
        let (called, paid) = amounts.entry(attachment_id).or_default();
        let sum = sum.unwrap_or(0);
        match kind {
            LedgerEntryKind::Charge => *called = called.saturating_add(sum),
            LedgerEntryKind::ChargeCancellation => *called = called.saturating_sub(sum),
            LedgerEntryKind::Payment => *paid = paid.saturating_add(sum),
            LedgerEntryKind::Refund => *paid = paid.saturating_sub(sum),
        }
    }
    let mut persons = Vec::with_capacity(pp.len() + pm.len());
    for (id, last, first, supra, state) in pp {
        let (called, paid) = amounts.get(&id).copied().unwrap_or_default();
        persons.push(AttachedPerson {
            attachment_id: id,
            person_kind: "PP".into(),
            name: format!("{} {}", last.to_uppercase(), first),
            reference: supra,
            declaration_state: state,
            called_cents: called,
            paid_cents: paid,
        });
    }
    for (id, name, firm_ref, state) in pm {
        let (called, paid) = amounts.get(&id).copied().unwrap_or_default();
        persons.push(AttachedPerson {
            attachment_id: id,
            person_kind: "PM".into(),
            name,
            reference: firm_ref,
            declaration_state: state,
            called_cents: called,
            paid_cents: paid,
        });
    }
    Ok(persons)
}

/// A manager of a bureau, as listed to the firm's responsables.
#[derive(Debug, Clone, Queryable)]
pub struct Manager {
    pub account_id: String,
    pub identifier: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub granted_by: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The accounts a bureau is granted to.
pub fn managers(conn: &mut DbConnection, bureau_id: &str) -> QueryResult<Vec<Manager>> {
    bureau_managers::table
        .inner_join(accounts::table)
        .filter(bureau_managers::bureau_id.eq(bureau_id))
        .order(accounts::identifier)
        .select((
            accounts::id,
            accounts::identifier,
            accounts::first_name,
            accounts::last_name,
            accounts::email,
            bureau_managers::granted_by,
            bureau_managers::created_at,
        ))
        .load(conn)
}

/// Identifier of each of these accounts, by id.
pub fn identifiers_of(
    conn: &mut DbConnection,
    account_ids: &[String],
) -> QueryResult<HashMap<String, String>> {
    if account_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String)> = accounts::table
        .filter(accounts::id.eq_any(account_ids))
        .select((accounts::id, accounts::identifier))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Grants a bureau to an account; false when it already was.
pub fn grant(
    conn: &mut DbConnection,
    bureau_id: &str,
    account_id: &str,
    granted_by: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: i64 = bureau_managers::table
        .filter(bureau_managers::bureau_id.eq(bureau_id))
        .filter(bureau_managers::account_id.eq(account_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(bureau_managers::table)
        .values((
            bureau_managers::bureau_id.eq(bureau_id),
            bureau_managers::account_id.eq(account_id),
            bureau_managers::granted_by.eq(granted_by),
            bureau_managers::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Revokes a grant; false when there was none.
pub fn revoke(conn: &mut DbConnection, bureau_id: &str, account_id: &str) -> QueryResult<bool> {
    let deleted = diesel::delete(
        bureau_managers::table
            .filter(bureau_managers::bureau_id.eq(bureau_id))
            .filter(bureau_managers::account_id.eq(account_id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}
