//! The access part of the register: firms' responsables and bureaux the council grants to RACs.
//! Rows are added when new and left alone when present (grants made in the portal stay too).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    csv_file::{Line, RegisterFile},
    import::FileSummary,
    rows::{BureauManagerRow, FirmResponsableRow},
    ImportError,
};
use crate::db::{
    schema::{accounts, bureau_managers, bureaux, firm_responsables, firms, members},
    DbConnection,
};

/// The id a row's reference found, or the row's error saying what it named.
fn existing(
    found: Option<String>,
    file: &'static str,
    line: u64,
    what: impl FnOnce() -> String,
) -> Result<String, ImportError> {
    found.ok_or_else(|| ImportError::Row {
        file,
        line,
        reason: what(),
    })
}

/// Runs `grant` on each row, counting what it added (`true`) and what was already there.
fn load_grants<R>(
    conn: &mut DbConnection,
    file: &'static str,
    lines: Vec<Line<R>>,
    mut grant: impl FnMut(&mut DbConnection, u64, &R) -> Result<bool, ImportError>,
) -> Result<FileSummary, ImportError> {
    let mut summary = FileSummary {
        file,
        inserted: 0,
        updated: 0,
        unchanged: 0,
    };
    for Line { number, row } in lines {
        if grant(conn, number, &row)? {
            summary.inserted += 1;
        } else {
            summary.unchanged += 1;
        }
    }
    Ok(summary)
}

/// Loads `firm_responsables.csv`.
pub fn firm_responsables(
    conn: &mut DbConnection,
    lines: Vec<Line<FirmResponsableRow>>,
) -> Result<FileSummary, ImportError> {
    let file = FirmResponsableRow::FILE;
    load_grants(conn, file, lines, |conn, line, row| {
        let firm = firms::table
            .filter(firms::firm_ref.eq(&row.firm_ref))
            .select(firms::id);
        let firm_id = existing(firm.first(conn).optional()?, file, line, || {
            format!("firm_ref: unknown firm {}", row.firm_ref)
        })?;
        let member = members::table
            .filter(members::supra_number.eq(&row.supra_number))
            .select(members::id);
        let member_id = existing(member.first(conn).optional()?, file, line, || {
            format!("supra_number: no member has {}", row.supra_number)
        })?;
        let grant = firm_responsables::table
            .filter(firm_responsables::firm_id.eq(&firm_id))
            .filter(firm_responsables::member_id.eq(&member_id));
        if diesel::select(diesel::dsl::exists(grant)).get_result::<bool>(conn)? {
            return Ok(false);
        }
        diesel::insert_into(firm_responsables::table)
            .values((
                firm_responsables::firm_id.eq(&firm_id),
                firm_responsables::member_id.eq(&member_id),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Loads `bureau_managers.csv`; the accounts must exist (RACs register themselves first).
pub fn bureau_managers(
    conn: &mut DbConnection,
    lines: Vec<Line<BureauManagerRow>>,
    now: NaiveDateTime,
) -> Result<FileSummary, ImportError> {
    let file = BureauManagerRow::FILE;
    load_grants(conn, file, lines, |conn, line, row| {
        let bureau = bureaux::table
            .filter(bureaux::bureau_ref.eq(&row.bureau_ref))
            .select(bureaux::id);
        let bureau_id = existing(bureau.first(conn).optional()?, file, line, || {
            format!("bureau_ref: unknown bureau {}", row.bureau_ref)
        })?;
        let account = accounts::table
            .filter(accounts::identifier.eq(&row.identifier))
            .select(accounts::id);
        let account_id = existing(account.first(conn).optional()?, file, line, || {
            format!("identifier: no account has {}", row.identifier)
        })?;
        let grant = bureau_managers::table
            .filter(bureau_managers::bureau_id.eq(&bureau_id))
            .filter(bureau_managers::account_id.eq(&account_id));
        if diesel::select(diesel::dsl::exists(grant)).get_result::<bool>(conn)? {
            return Ok(false);
        }
        diesel::insert_into(bureau_managers::table)
            .values((
                bureau_managers::bureau_id.eq(&bureau_id),
                bureau_managers::account_id.eq(&account_id),
                bureau_managers::granted_by.eq(None::<String>),
                bureau_managers::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}
