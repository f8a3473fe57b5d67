//! The portal side of the demo: who manages which bureau, the persons attached to each bureau for
//! the open campaigns, and a ledger with every situation of the dashboard (bureaux fully declared
//! and paid, declared and partly paid, not declared yet), so the guide's screens show real totals.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::{
    generate::DemoRegister,
    people::{DEMO_FIRM, MARIE_DURAND, NEWCOMER, RAC_IDENTIFIER},
    DemoError,
};
use crate::db::{
    accounts::Account,
    schema::{attachments, bureau_managers, firm_responsables, ledger_entries, region_contacts},
    DbConnection,
};

/// The region where the demo RAC's regional contact record holds an older address: the first
/// visit to that region shows the email-conflict choice.
pub const RAC_CONFLICT_REGION: &str = "rhone-alpes";
/// That older address.
pub const RAC_FILE_EMAIL: &str = "c.rousseau@ancien-cabinet.example";

/// The demo ledger follows the demo barème (`contributions/demo_scales.csv`, loaded by the seed):
/// fixed part per bureau, PP amounts (indépendant, salarié), PM fixed part and part per head.
const BUREAU_FIXED_CENTS: i32 = 25_000;
const PP_INDEPENDANT_CENTS: i32 = 42_000;
const PP_SALARIE_CENTS: i32 = 36_000;
const PM_FIXED_CENTS: i32 = 18_000;
const PM_PER_HEAD_CENTS: i32 = 1_100;

/// Rows per multi-row insert (at most 9 columns: far under both backends' parameter limits).
const ROWS_PER_INSERT: usize = 2_000;

#[derive(Insertable)]
#[diesel(table_name = attachments)]
struct NewAttachment {
    id: String,
    campaign_id: String,
    bureau_id: String,
    person_kind: &'static str,
    member_id: Option<String>,
    firm_id: Option<String>,
    declaration_state: &'static str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = ledger_entries)]
struct NewEntry {
    id: String,
    campaign_id: String,
    bureau_id: String,
    attachment_id: Option<String>,
    entry_kind: &'static str,
    amount_cents: i32,
    reference: Option<String>,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = firm_responsables)]
struct NewResponsable {
    firm_id: String,
    member_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = bureau_managers)]
struct NewGrant {
    bureau_id: String,
    account_id: String,
    granted_by: Option<String>,
    created_at: NaiveDateTime,
}

/// Multi-row inserts on the backend's own connection (the multi-backend cannot render them),
/// inside the caller's transaction.
macro_rules! insert_rows {
    ($conn:expr, $table:path, $rows:expr) => {{
        let mut inserted = 0;
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            let statement = diesel::insert_into($table).values(chunk);
            inserted += match &mut *$conn {
                DbConnection::Pg(pg) => statement.execute(pg)?,
                DbConnection::Sqlite(sqlite) => statement.execute(sqlite)?,
            };
        }
        inserted
    }};
}

/// A stable id for the `n`-th row of a kind, so that the demo is identical on every run.
fn stable_id(kind: &str, n: usize) -> String {
    let digest = Sha256::digest(format!("comptexpert-demo/{kind}/{n}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// What the portal part of the demo wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PortalSummary {
    pub responsables: usize,
    pub grants: usize,
    pub attachments: usize,
    pub ledger_entries: usize,
}

/// The share of a full PP contribution for a qualité (art. 224: 83 ter 70 %, 83 quater 50 %,
/// honoraires nothing).
fn pp_amount(quality: &str) -> i32 {
    match quality {
        "salarie_agc_83ter" => PP_SALARIE_CENTS * 70 / 100,
        "salarie_agc_83quater" => PP_SALARIE_CENTS / 2,
        "expert_comptable_honoraire" => 0,
        "expert_comptable_independant" => PP_INDEPENDANT_CENTS,
        _ => PP_SALARIE_CENTS,
    }
}

/// Writes the portal demo data for `register` (already inserted) and the demo accounts.
pub fn seed(
    conn: &mut DbConnection,
    register: &DemoRegister,
    now: NaiveDateTime,
) -> Result<PortalSummary, DemoError> {
    let missing = |what: &str| DemoError::MissingReference(what.to_owned());
    let rac = Account::find_by_identifier(conn, RAC_IDENTIFIER)?
        .ok_or_else(|| missing("the demo RAC account"))?;
    let marie = register
        .members
        .iter()
        .find(|m| m.supra_number == MARIE_DURAND.supra_number)
        .ok_or_else(|| missing("Marie Durand"))?;
    let newcomer = register
        .members
        .iter()
        .find(|m| m.supra_number == NEWCOMER.supra_number);
    let open_campaign: HashMap<&str, &str> = register
        .campaigns
        .iter()
        .filter(|c| c.is_open)
        .map(|c| (c.region_code.as_str(), c.id.as_str()))
        .collect();

    // Members per region, excluding the fixed people, to attach round-robin.
    let mut by_region: HashMap<&str, Vec<&crate::db::registry::Member>> = HashMap::new();
    for member in &register.members {
        if member.supra_number != MARIE_DURAND.supra_number
            && member.supra_number != NEWCOMER.supra_number
        {
            by_region
                .entry(member.region_code.as_str())
                .or_default()
                .push(member);
        }
    }
    let mut cursor: HashMap<&str, usize> = HashMap::new();
    let mut next_member = |region: &str| -> Option<&crate::db::registry::Member> {
        let list = by_region.get(region)?;
        let at = cursor
            .entry(list.first()?.region_code.as_str())
            .or_insert(0);
        let member = list.get(*at % list.len()).copied();
        *at += 1;
        member
    };

    // Responsables: Marie for the demo firm; one member of its principal bureau's region for each other firm.
    let principal_region: HashMap<&str, &str> = register
        .bureaux
        .iter()
        .filter(|b| b.inscription_type == "PRINCIPAL")
        .map(|b| (b.firm_id.as_str(), b.region_code.as_str()))
        .collect();
    let mut responsables = Vec::with_capacity(register.firms.len());
    for firm in &register.firms {
        let member_id = if firm.firm_ref == DEMO_FIRM.firm_ref {
            Some(marie.id.clone())
        } else {
            principal_region
                .get(firm.id.as_str())
                .and_then(|region| next_member(region))
                .map(|m| m.id.clone())
        };
        if let Some(member_id) = member_id {
            responsables.push(NewResponsable {
                firm_id: firm.id.clone(),
                member_id,
            });
        }
    }

    // The RAC manages the demo firm's bureaux and those of two more firms in Paris and one in Lyon's region.
    let demo_firm_id = register
        .firms
        .iter()
        .find(|f| f.firm_ref == DEMO_FIRM.firm_ref)
        .map(|f| f.id.clone());
    let mut managed_firms: Vec<String> = demo_firm_id.into_iter().collect();
    for (region, count) in [("paris-ile-de-france", 2), (RAC_CONFLICT_REGION, 1)] {
        let firms = register
            .bureaux
            .iter()
            .filter(|b| b.inscription_type == "PRINCIPAL" && b.region_code == region)
            .map(|b| b.firm_id.clone())
            .filter(|f| !managed_firms.contains(f))
            .take(count)
            .collect::<Vec<_>>();
        managed_firms.extend(firms);
    }
    let grants: Vec<NewGrant> = register
        .bureaux
        .iter()
        .filter(|b| managed_firms.contains(&b.firm_id))
        .map(|b| NewGrant {
            bureau_id: b.id.clone(),
            account_id: rac.id.clone(),
            granted_by: None,
            created_at: now,
        })
        .collect();

    // Attachments and ledger for the open campaigns.
    let quality_of: HashMap<&str, &str> = register
        .members
        .iter()
        .map(|m| (m.id.as_str(), m.quality_code.as_str()))
        .collect();
    let mut attachments_rows = Vec::new();
    let mut entries = Vec::new();
    for (index, bureau) in register.bureaux.iter().enumerate() {
        let Some(campaign) = open_campaign.get(bureau.region_code.as_str()) else {
            continue;
        };
        // Three situations in turn: 0 declared and paid, 1 declared and half paid, 2 not declared.
        let situation = index % 3;
        let mut people: Vec<String> = Vec::new();
        if bureau.bureau_ref == DEMO_FIRM.bureaux[0].bureau_ref {
            people.push(marie.id.clone());
            people.extend(newcomer.map(|n| n.id.clone()));
        }
        for _ in 0..(1 + index % 3) {
            if let Some(member) = next_member(&bureau.region_code) {
                people.push(member.id.clone());
            }
        }
        let mut due = BUREAU_FIXED_CENTS;
        entries.push(entry(
            entries.len(),
            campaign,
            &bureau.id,
            None,
            "charge",
            BUREAU_FIXED_CENTS,
            now,
        ));
        let mut persons: Vec<(Option<String>, Option<String>, i32)> = people
            .into_iter()
            .map(|m| {
                let cents = pp_amount(quality_of.get(m.as_str()).copied().unwrap_or_default());
                (Some(m), None, cents)
            })
            .collect();
        if bureau.inscription_type == "PRINCIPAL" {
            // An average headcount of 1 to 40 people for the variable part.
            let headcount = 1 + (index % 40) as i32;
            persons.push((
                None,
                Some(bureau.firm_id.clone()),
                PM_FIXED_CENTS + PM_PER_HEAD_CENTS * headcount,
            ));
        }
        for (member_id, firm_id, cents) in persons {
            let id = stable_id("attachment", attachments_rows.len());
            // The newcomer (no account yet) is still to declare, whatever the bureau's situation.
            let declared =
                situation != 2 && member_id.as_deref() != newcomer.map(|n| n.id.as_str());
            attachments_rows.push(NewAttachment {
                id: id.clone(),
                campaign_id: (*campaign).to_owned(),
                bureau_id: bureau.id.clone(),
                person_kind: if member_id.is_some() { "PP" } else { "PM" },
                member_id,
                firm_id,
                declaration_state: if declared { "submitted" } else { "to_declare" },
                created_at: now,
                updated_at: now,
            });
            if declared {
                entries.push(entry(
                    entries.len(),
                    campaign,
                    &bureau.id,
                    Some(id),
                    "charge",
                    cents,
                    now,
                ));
                due += cents;
            }
        }
        let paid = match situation {
            0 => due,
            1 => due / 2,
            _ => 0,
        };
        if paid > 0 {
            entries.push(entry(
                entries.len(),
                campaign,
                &bureau.id,
                None,
                "payment",
                paid,
                now,
            ));
        }
    }

    let summary = PortalSummary {
        responsables: insert_rows!(conn, firm_responsables::table, responsables),
        grants: insert_rows!(conn, bureau_managers::table, grants),
        attachments: insert_rows!(conn, attachments::table, attachments_rows),
        ledger_entries: insert_rows!(conn, ledger_entries::table, entries),
    };
    diesel::insert_into(region_contacts::table)
        .values((
            region_contacts::region_code.eq(RAC_CONFLICT_REGION),
            region_contacts::account_id.eq(&rac.id),
            region_contacts::email.eq(RAC_FILE_EMAIL),
            region_contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(summary)
}

fn entry(
    n: usize,
    campaign: &str,
    bureau_id: &str,
    attachment_id: Option<String>,
    kind: &'static str,
    cents: i32,
    now: NaiveDateTime,
) -> NewEntry {
    let reference = match (kind, &attachment_id) {
        ("payment", _) => Some(format!("DEMO-{n:06}")),
        // The same marker as the portal's own calls of the fixed part, so they are recognised.
        ("charge", None) => Some(crate::db::ledger::BUREAU_FIXED_PART.to_owned()),
        _ => None,
    };
    NewEntry {
        id: stable_id("ledger", n),
        campaign_id: campaign.to_owned(),
        bureau_id: bureau_id.to_owned(),
        attachment_id,
        entry_kind: kind,
        amount_cents: cents,
        reference,
        created_at: now,
    }
}
