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
use crate::domain::states::{DeclarationState, DeclarationStatus, LedgerEntryKind};
use crate::{
    contributions::scale::{self, DEMO_SCALES},
    db::{
        accounts::Account,
        declarations::Declaration,
        scales::ScaleRow,
        schema::{
            attachments, bureau_managers, contribution_scales, declarations, firm_responsables,
            ledger_entries, region_contacts,
        },
        DbConnection,
    },
    domain::amount::{declaration_amount, Declared, Headcount, NewMemberYear, PpCategory, Scale},
};

/// The region where the demo RAC's regional contact record holds an older address: the first
/// visit to that region shows the email-conflict choice.
pub const RAC_CONFLICT_REGION: &str = "rhone-alpes";
/// That older address.
pub const RAC_FILE_EMAIL: &str = "c.rousseau@ancien-cabinet.example";

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
    declaration_state: DeclarationState,
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
    entry_kind: LedgerEntryKind,
    amount_cents: i64,
    reference: Option<String>,
    created_at: NaiveDateTime,
    declaration_id: Option<String>,
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
    pub scales: usize,
    pub declarations: usize,
    pub responsables: usize,
    pub grants: usize,
    pub attachments: usize,
    pub ledger_entries: usize,
}

/// The category a demo member is declared under: the one their qualité implies.
fn category_of(quality: &str) -> PpCategory {
    match quality {
        "expert_comptable_independant" => PpCategory::Independant,
        "salarie_agc_83ter" => PpCategory::Agc83Ter,
        "salarie_agc_83quater" => PpCategory::Agc83Quater,
        "expert_comptable_honoraire" => PpCategory::Honoraire,
        _ => PpCategory::Salarie,
    }
}

/// The demo barème: the figures of `contributions/demo_scales.csv` for each region and each
/// year of the demo's campaigns (the file's own year is only an example of the import format).
/// A region the file does not list takes its first row's figures.
fn demo_scales(register: &DemoRegister, now: NaiveDateTime) -> Result<Vec<ScaleRow>, DemoError> {
    let figures = scale::parse(DEMO_SCALES.as_bytes(), now)
        .map_err(|e| DemoError::MissingReference(format!("a valid demo barème ({e})")))?;
    let default = figures
        .first()
        .ok_or_else(|| DemoError::MissingReference("a demo barème".to_owned()))?;
    Ok(register
        .campaigns
        .iter()
        .map(|campaign| {
            let row = figures
                .iter()
                .find(|r| r.region_code == campaign.region_code)
                .unwrap_or(default);
            ScaleRow {
                region_code: campaign.region_code.clone(),
                campaign_year: campaign.year,
                ..row.clone()
            }
        })
        .collect())
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
    let open_campaign: HashMap<&str, (&str, i32)> = register
        .campaigns
        .iter()
        .filter(|c| c.is_open)
        .map(|c| (c.region_code.as_str(), (c.id.as_str(), c.year)))
        .collect();
    let scales = demo_scales(register, now)?;
    let scale_of: HashMap<(&str, i32), Scale> = scales
        .iter()
        .map(|s| ((s.region_code.as_str(), s.campaign_year), s.scale()))
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

    // Attachments, submitted declarations and ledger for the open campaigns, with the amounts
    // the portal itself would compute from the demo barème, so that a declaration made on the
    // demo lands on figures that add up.
    let member_of: HashMap<&str, &crate::db::registry::Member> = register
        .members
        .iter()
        .map(|m| (m.id.as_str(), m))
        .collect();
    let mut attachments_rows = Vec::new();
    let mut declaration_rows = Vec::new();
    let mut entries = Vec::new();
    for (index, bureau) in register.bureaux.iter().enumerate() {
        let Some(&(campaign, year)) = open_campaign.get(bureau.region_code.as_str()) else {
            continue;
        };
        let scale = scale_of
            .get(&(bureau.region_code.as_str(), year))
            .copied()
            .ok_or_else(|| missing("a demo barème for every open campaign"))?;
        // Three situations in turn: 0 declared and paid, 1 declared and half paid, 2 not declared.
        let situation = index % 3;
        let mut people: Vec<String> = Vec::new();
        if bureau.bureau_ref == DEMO_FIRM.bureaux[0].bureau_ref {
            people.push(marie.id.clone());
            people.extend(newcomer.map(|n| n.id.clone()));
        }
        for _ in 0..(1 + index % 3) {
            // A small register goes round a region's members quickly: a person is attached
            // to a bureau once.
            if let Some(member) = next_member(&bureau.region_code) {
                if !people.contains(&member.id) {
                    people.push(member.id.clone());
                }
            }
        }
        let mut due = scale.bureau_fixed_cents;
        entries.push(entry(
            entries.len(),
            campaign,
            &bureau.id,
            None,
            None,
            LedgerEntryKind::Charge,
            scale.bureau_fixed_cents,
            now,
        ));
        let mut persons: Vec<(Option<String>, Option<String>, Declared)> = people
            .into_iter()
            .map(|id| {
                let member = member_of.get(id.as_str());
                let declared = Declared::Natural {
                    category: category_of(member.map(|m| m.quality_code.as_str()).unwrap_or("")),
                    new_member: member.and_then(|m| NewMemberYear::of(m.registration_year, year)),
                };
                (Some(id), None, declared)
            })
            .collect();
        if bureau.inscription_type == "PRINCIPAL" {
            // An average headcount of 1 to 40 people for the variable part.
            let headcount = Headcount::from_hundredths(100 * (1 + (index % 40) as i64))
                .ok_or_else(|| missing("a valid demo headcount"))?;
            persons.push((
                None,
                Some(bureau.firm_id.clone()),
                Declared::Legal { headcount },
            ));
        }
        for (member_id, firm_id, declared) in persons {
            let id = stable_id("attachment", attachments_rows.len());
            // The newcomer (no account yet) is still to declare, whatever the bureau's situation.
            let is_declared =
                situation != 2 && member_id.as_deref() != newcomer.map(|n| n.id.as_str());
            attachments_rows.push(NewAttachment {
                id: id.clone(),
                campaign_id: campaign.to_owned(),
                bureau_id: bureau.id.clone(),
                person_kind: if member_id.is_some() { "PP" } else { "PM" },
                member_id,
                firm_id,
                declaration_state: if is_declared {
                    DeclarationState::Submitted
                } else {
                    DeclarationState::ToDeclare
                },
                created_at: now,
                updated_at: now,
            });
            if !is_declared {
                continue;
            }
            let cents = declaration_amount(&scale, &declared);
            let declaration = submitted_declaration(
                stable_id("declaration", declaration_rows.len()),
                &id,
                &declared,
                cents,
                now,
            );
            // An exempt honoraire owes nothing: nothing to book, as the portal does.
            if cents > 0 {
                entries.push(entry(
                    entries.len(),
                    campaign,
                    &bureau.id,
                    Some(id),
                    Some(declaration.id.clone()),
                    LedgerEntryKind::Charge,
                    cents,
                    now,
                ));
            }
            declaration_rows.push(declaration);
            due += cents;
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
                None,
                LedgerEntryKind::Payment,
                paid,
                now,
            ));
        }
    }

    // In the order of the foreign keys: declarations name attachments, entries name declarations.
    let scales = insert_rows!(conn, contribution_scales::table, scales);
    let responsables = insert_rows!(conn, firm_responsables::table, responsables);
    let grants = insert_rows!(conn, bureau_managers::table, grants);
    let attachments = insert_rows!(conn, attachments::table, attachments_rows);
    let declarations = insert_rows!(conn, declarations::table, declaration_rows);
    let ledger_entries = insert_rows!(conn, ledger_entries::table, entries);
    let summary = PortalSummary {
        scales,
        declarations,
        responsables,
        grants,
        attachments,
        ledger_entries,
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

/// Version 1 of a declaration, submitted when the demo was written, as the portal records one.
fn submitted_declaration(
    id: String,
    attachment_id: &str,
    declared: &Declared,
    cents: i64,
    now: NaiveDateTime,
) -> Declaration {
    let (pp_category, new_member_year, headcount_hundredths) =
        crate::contributions::declarations::columns(declared);
    Declaration {
        id,
        attachment_id: attachment_id.to_owned(),
        version: 1,
        status: DeclarationStatus::Submitted,
        pp_category,
        new_member_year,
        headcount_hundredths,
        amount_cents: cents,
        correction_reason: None,
        created_by: None,
        created_at: now,
        updated_at: now,
        submitted_by: None,
        submitted_at: Some(now),
        superseded_at: None,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one ledger row, column by column"
)]
fn entry(
    n: usize,
    campaign: &str,
    bureau_id: &str,
    attachment_id: Option<String>,
    declaration_id: Option<String>,
    kind: LedgerEntryKind,
    cents: i64,
    now: NaiveDateTime,
) -> NewEntry {
    let reference = match (kind, &declaration_id, &attachment_id) {
        (LedgerEntryKind::Payment, _, _) => Some(format!("DEMO-{n:06}")),
        // The portal's own reference of a submitted version's charge.
        (LedgerEntryKind::Charge, Some(_), _) => Some("declaration v1".to_owned()),
        // The same marker as the portal's own calls of the fixed part, so they are recognised.
        (LedgerEntryKind::Charge, None, None) => {
            Some(crate::db::ledger::BUREAU_FIXED_PART.to_owned())
        }
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
        declaration_id,
    }
}
