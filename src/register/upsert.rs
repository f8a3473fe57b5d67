//! Upserts of the import, one function per file: rows are matched on their natural key in batched
//! look-ups, then new rows are inserted many per statement and changed rows updated by id.
//! Every function runs inside the import's transaction; a refused row returns before any write
//! of its file, and the caller's rollback undoes the files before it.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{
    csv_file::{Line, RegisterFile},
    import::FileSummary,
    rows::{BureauRow, CampaignRow, FirmRow, MemberRow, PersonalFileRow, RegionRow},
    ImportError,
};
use crate::{
    db::{
        bulk::BulkWrite,
        reference::{Quality, Region},
        registry::{Bureau, Campaign, Firm, Member, PersonalFile},
        DbConnection,
    },
    domain::names,
};

/// The codes rows may refer to, as the database holds them once regions are loaded.
pub struct References {
    regions: HashSet<String>,
    /// Qualité code → whether it is matched against the register (every one but "Autre profil").
    qualities: HashMap<String, bool>,
}

impl References {
    /// Reads the region and qualité codes.
    pub fn load(conn: &mut DbConnection) -> QueryResult<Self> {
        Ok(Self {
            regions: Region::all(conn)?.into_iter().map(|r| r.code).collect(),
            qualities: Quality::all(conn)?
                .into_iter()
                .map(|q| (q.code, q.registration_path == "registry"))
                .collect(),
        })
    }

    fn check_region(&self, file: &'static str, line: u64, code: &str) -> Result<(), ImportError> {
        if self.regions.contains(code) {
            return Ok(());
        }
        Err(refused(
            file,
            line,
            format!("region_code: unknown region \"{code}\""),
        ))
    }

    fn check_register_quality(&self, line: u64, code: &str) -> Result<(), ImportError> {
        match self.qualities.get(code) {
            Some(true) => Ok(()),
            Some(false) => Err(refused(
                MemberRow::FILE,
                line,
                format!("quality_code: \"{code}\" registers through the external form, not the register"),
            )),
            None => Err(refused(MemberRow::FILE, line, format!("quality_code: unknown qualité \"{code}\""))),
        }
    }
}

fn refused(file: &'static str, line: u64, reason: String) -> ImportError {
    ImportError::Row { file, line, reason }
}

/// How one file's rows will be written once compared with what is stored.
struct Plan<T> {
    file: &'static str,
    inserts: Vec<T>,
    updates: Vec<T>,
    unchanged: usize,
}

impl<T: BulkWrite + PartialEq> Plan<T> {
    fn new(file: &'static str) -> Self {
        Self {
            file,
            inserts: Vec::new(),
            updates: Vec::new(),
            unchanged: 0,
        }
    }

    /// `row` carries the stored row's identity and timestamps when there is one, so equality
    /// means "nothing to write"; `touch` stamps a changed row before its update.
    fn add(&mut self, stored: Option<&T>, mut row: T, touch: impl FnOnce(&mut T)) {
        match stored {
            None => self.inserts.push(row),
            Some(stored) if *stored == row => self.unchanged += 1,
            Some(_) => {
                touch(&mut row);
                self.updates.push(row);
            }
        }
    }

    fn apply(self, conn: &mut DbConnection) -> QueryResult<FileSummary> {
        let inserted = T::insert_all(conn, &self.inserts)?;
        for row in &self.updates {
            T::update(conn, row)?;
        }
        Ok(FileSummary {
            file: self.file,
            inserted,
            updated: self.updates.len(),
            unchanged: self.unchanged,
        })
    }
}

/// The id, creation and last-update instants a row keeps (stored) or gets (new).
fn identity(
    stored: Option<(&String, NaiveDateTime, NaiveDateTime)>,
    now: NaiveDateTime,
) -> (String, NaiveDateTime, NaiveDateTime) {
    match stored {
        Some((id, created_at, updated_at)) => (id.clone(), created_at, updated_at),
        // Time-ordered ids keep the primary-key index append-mostly during big imports.
        None => (uuid::Uuid::now_v7().to_string(), now, now),
    }
}

/// The distinct values of `key` over `lines`, for one batched look-up.
fn distinct<T, K: Clone + Eq + std::hash::Hash>(
    lines: &[Line<T>],
    key: impl Fn(&T) -> &K,
) -> Vec<K> {
    let set: HashSet<&K> = lines.iter().map(|l| key(&l.row)).collect();
    set.into_iter().cloned().collect()
}

/// Upserts `regions.csv` by region code.
pub fn regions(
    conn: &mut DbConnection,
    lines: Vec<Line<RegionRow>>,
) -> Result<FileSummary, ImportError> {
    let stored: HashMap<String, Region> = Region::all(conn)?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    let mut plan = Plan::new(RegionRow::FILE);
    for Line { row, .. } in lines {
        let region = Region {
            code: row.code,
            name: row.name,
            position: row.position,
        };
        plan.add(stored.get(&region.code), region, |_| {});
    }
    Ok(plan.apply(conn)?)
}

/// Upserts `members.csv` by SUPRA number; the search key is recomputed from the names.
pub fn members(
    conn: &mut DbConnection,
    references: &References,
    lines: Vec<Line<MemberRow>>,
    now: NaiveDateTime,
) -> Result<FileSummary, ImportError> {
    let numbers: Vec<String> = lines.iter().map(|l| l.row.supra_number.clone()).collect();
    let stored: HashMap<String, Member> = Member::find_by_supra_numbers(conn, &numbers)?
        .into_iter()
        .map(|m| (m.supra_number.clone(), m))
        .collect();
    let mut plan = Plan::new(MemberRow::FILE);
    for Line { number, row } in lines {
        references.check_register_quality(number, &row.quality_code)?;
        references.check_region(MemberRow::FILE, number, &row.region_code)?;
        let current = stored.get(&row.supra_number);
        let (id, created_at, updated_at) =
            identity(current.map(|m| (&m.id, m.created_at, m.updated_at)), now);
        let member = Member {
            id,
            search_key: names::search_key(&row.last_name, &row.first_name),
            supra_number: row.supra_number,
            civility: row.civility.to_owned(),
            last_name: row.last_name,
            first_name: row.first_name,
            birth_date: row.birth_date,
            registration_year: row.registration_year,
            quality_code: row.quality_code,
            region_code: row.region_code,
            email: row.email,
            created_at,
            updated_at,
        };
        plan.add(current, member, |m| m.updated_at = now);
    }
    Ok(plan.apply(conn)?)
}

/// Upserts `firms.csv` by firm reference.
pub fn firms(
    conn: &mut DbConnection,
    lines: Vec<Line<FirmRow>>,
    now: NaiveDateTime,
) -> Result<FileSummary, ImportError> {
    let refs: Vec<String> = lines.iter().map(|l| l.row.firm_ref.clone()).collect();
    let stored: HashMap<String, Firm> = Firm::find_by_refs(conn, &refs)?
        .into_iter()
        .map(|f| (f.firm_ref.clone(), f))
        .collect();
    let mut plan = Plan::new(FirmRow::FILE);
    for Line { row, .. } in lines {
        let current = stored.get(&row.firm_ref);
        let (id, created_at, updated_at) =
            identity(current.map(|f| (&f.id, f.created_at, f.updated_at)), now);
        let firm = Firm {
            id,
            firm_ref: row.firm_ref,
            name: row.name,
            created_at,
            updated_at,
        };
        plan.add(current, firm, |f| f.updated_at = now);
    }
    Ok(plan.apply(conn)?)
}

/// Upserts `bureaux.csv` by bureau reference; each names a firm loaded before or already stored.
pub fn bureaux(
    conn: &mut DbConnection,
    references: &References,
    lines: Vec<Line<BureauRow>>,
    now: NaiveDateTime,
) -> Result<FileSummary, ImportError> {
    let firm_ids: HashMap<String, String> =
        Firm::find_by_refs(conn, &distinct(&lines, |r| &r.firm_ref))?
            .into_iter()
            .map(|f| (f.firm_ref, f.id))
            .collect();
    let refs: Vec<String> = lines.iter().map(|l| l.row.bureau_ref.clone()).collect();
    let stored: HashMap<String, Bureau> = Bureau::find_by_refs(conn, &refs)?
        .into_iter()
        .map(|b| (b.bureau_ref.clone(), b))
        .collect();
    let mut plan = Plan::new(BureauRow::FILE);
    for Line { number, row } in lines {
        references.check_region(BureauRow::FILE, number, &row.region_code)?;
        let Some(firm_id) = firm_ids.get(&row.firm_ref).cloned() else {
            return Err(refused(
                BureauRow::FILE,
                number,
                format!(
                    "firm_ref: no firm \"{}\" in firms.csv or the register",
                    row.firm_ref
                ),
            ));
        };
        let current = stored.get(&row.bureau_ref);
        let (id, created_at, updated_at) =
            identity(current.map(|b| (&b.id, b.created_at, b.updated_at)), now);
        let bureau = Bureau {
            id,
            firm_id,
            bureau_ref: row.bureau_ref,
            region_code: row.region_code,
            inscription_type: row.inscription_type.to_owned(),
            address_line: row.address_line,
            postal_code: row.postal_code,
            city: row.city,
            created_at,
            updated_at,
        };
        plan.add(current, bureau, |b| b.updated_at = now);
    }
    Ok(plan.apply(conn)?)
}

/// Upserts `personal_files.csv` by (SUPRA number, region); each names a member loaded before or already stored.
pub fn personal_files(
    conn: &mut DbConnection,
    references: &References,
    lines: Vec<Line<PersonalFileRow>>,
    now: NaiveDateTime,
) -> Result<FileSummary, ImportError> {
    let member_ids: HashMap<String, String> =
        Member::find_by_supra_numbers(conn, &distinct(&lines, |r| &r.supra_number))?
            .into_iter()
            .map(|m| (m.supra_number, m.id))
            .collect();
    let ids: Vec<String> = member_ids.values().cloned().collect();
    let stored: HashMap<(String, String), PersonalFile> =
        PersonalFile::find_by_members(conn, &ids)?
            .into_iter()
            .map(|f| ((f.member_id.clone(), f.region_code.clone()), f))
            .collect();
    let mut plan = Plan::new(PersonalFileRow::FILE);
    for Line { number, row } in lines {
        references.check_region(PersonalFileRow::FILE, number, &row.region_code)?;
        let Some(member_id) = member_ids.get(&row.supra_number).cloned() else {
            return Err(refused(
                PersonalFileRow::FILE,
                number,
                format!(
                    "supra_number: no member {} in members.csv or the register",
                    row.supra_number
                ),
            ));
        };
        let current = stored.get(&(member_id.clone(), row.region_code.clone()));
        let (id, created_at, updated_at) =
            identity(current.map(|f| (&f.id, f.created_at, f.updated_at)), now);
        let file = PersonalFile {
            id,
            member_id,
            region_code: row.region_code,
            email: row.email,
            created_at,
            updated_at,
        };
        plan.add(current, file, |f| f.updated_at = now);
    }
    Ok(plan.apply(conn)?)
}

/// Upserts `campaigns.csv` by (region, year).
pub fn campaigns(
    conn: &mut DbConnection,
    references: &References,
    lines: Vec<Line<CampaignRow>>,
    now: NaiveDateTime,
) -> Result<FileSummary, ImportError> {
    let stored: HashMap<(String, i32), Campaign> =
        Campaign::find_by_years(conn, &distinct(&lines, |r| &r.year))?
            .into_iter()
            .map(|c| ((c.region_code.clone(), c.year), c))
            .collect();
    let mut plan = Plan::new(CampaignRow::FILE);
    for Line { number, row } in lines {
        references.check_region(CampaignRow::FILE, number, &row.region_code)?;
        let current = stored.get(&(row.region_code.clone(), row.year));
        let (id, created_at, updated_at) =
            identity(current.map(|c| (&c.id, c.created_at, c.updated_at)), now);
        let campaign = Campaign {
            id,
            region_code: row.region_code,
            year: row.year,
            is_open: row.is_open,
            created_at,
            updated_at,
        };
        plan.add(current, campaign, |c| c.updated_at = now);
    }
    Ok(plan.apply(conn)?)
}
