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

fn unknown(file: &'static str, line: u64, what: String) -> ImportError {
    ImportError::Row {
        file,
        line,
        reason: what,
    }
}

/// Loads `firm_responsables.csv`.
pub fn firm_responsables(
    conn: &mut DbConnection,
    lines: Vec<Line<FirmResponsableRow>>,
) -> Result<FileSummary, ImportError> {
    let file = FirmResponsableRow::FILE;
    let mut summary = FileSummary {
        file,
        inserted: 0,
        updated: 0,
        unchanged: 0,
    };
    for Line { number, row } in lines {
        let firm_id: String = firms::table
            .filter(firms::firm_ref.eq(&row.firm_ref))
            .select(firms::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                unknown(
                    file,
                    number,
                    format!("firm_ref: unknown firm {}", row.firm_ref),
                )
            })?;
        let member_id: String = members::table
            .filter(members::supra_number.eq(&row.supra_number))
            .select(members::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                unknown(
                    file,
                    number,
                    format!("supra_number: no member has {}", row.supra_number),
                )
            })?;
        let present: i64 = firm_responsables::table
            .filter(firm_responsables::firm_id.eq(&firm_id))
            .filter(firm_responsables::member_id.eq(&member_id))
            .count()
            .get_result(conn)?;
        if present > 0 {
            summary.unchanged += 1;
        } else {
            diesel::insert_into(firm_responsables::table)
                .values((
                    firm_responsables::firm_id.eq(&firm_id),
                    firm_responsables::member_id.eq(&member_id),
                ))
                .execute(conn)?;
            summary.inserted += 1;
        }
    }
    Ok(summary)
}

/// Loads `bureau_managers.csv`; the accounts must exist (RACs register themselves first).
pub fn bureau_managers(
    conn: &mut DbConnection,
    lines: Vec<Line<BureauManagerRow>>,
    now: NaiveDateTime,
) -> Result<FileSummary, ImportError> {
    let file = BureauManagerRow::FILE;
    let mut summary = FileSummary {
        file,
        inserted: 0,
        updated: 0,
        unchanged: 0,
    };
    for Line { number, row } in lines {
        let bureau_id: String = bureaux::table
            .filter(bureaux::bureau_ref.eq(&row.bureau_ref))
            .select(bureaux::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                unknown(
                    file,
                    number,
                    format!("bureau_ref: unknown bureau {}", row.bureau_ref),
                )
            })?;
        let account_id: String = accounts::table
            .filter(accounts::identifier.eq(&row.identifier))
            .select(accounts::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                unknown(
                    file,
                    number,
                    format!("identifier: no account has {}", row.identifier),
                )
            })?;
        let present: i64 = bureau_managers::table
            .filter(bureau_managers::bureau_id.eq(&bureau_id))
            .filter(bureau_managers::account_id.eq(&account_id))
            .count()
            .get_result(conn)?;
        if present > 0 {
            summary.unchanged += 1;
        } else {
            diesel::insert_into(bureau_managers::table)
                .values((
                    bureau_managers::bureau_id.eq(&bureau_id),
                    bureau_managers::account_id.eq(&account_id),
                    bureau_managers::granted_by.eq(None::<String>),
                    bureau_managers::created_at.eq(now),
                ))
                .execute(conn)?;
            summary.inserted += 1;
        }
    }
    Ok(summary)
}
