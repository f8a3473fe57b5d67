//! Loading barèmes from CSV (the format is in the README, "Declarations and payments").
//!
//! One row per region and campaign year; a row replaces the barème already loaded for its key.
//! The whole file loads in one transaction or not at all. After loading, the fixed part of every
//! bureau of the region is called for the open campaign of that year, if there is one: the
//! register import calls [`call_fixed_parts`] again after it adds bureaux or opens a campaign.

use std::io::Read;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{
    self,
    ledger::call_bureau_fixed_part,
    scales::{ScaleRow, Upserted},
    schema::{bureaux, campaigns, regions},
    DbConnection,
};
use crate::domain::money::{within_maximum, MAX_PAYMENT_CENTS};

/// An illustrative barème for every region of the reference data (the figures are examples,
/// not the Ordre's). The demo applies each region's figures to the years of its campaigns; the
/// file's own year only makes it a valid example of the import format.
pub const DEMO_SCALES: &str = include_str!("demo_scales.csv");

/// The columns, in any order (the header names them).
pub const COLUMNS: [&str; 11] = [
    "region_code",
    "campaign_year",
    "pp_independant_cents",
    "pp_salarie_cents",
    "pp_83ter_percent",
    "pp_83quater_percent",
    "new_member_year1_reduction_percent",
    "new_member_year2_reduction_percent",
    "bureau_fixed_cents",
    "pm_fixed_cents",
    "pm_per_head_cents",
];

/// Why a file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScaleImportError {
    /// The file is not readable CSV, or lacks a column.
    #[error("{0}")]
    Format(String),
    /// A row holds an invalid value (line numbers count the header as line 1).
    #[error("line {line}: {message}")]
    Row { line: u64, message: String },
    /// The database failed.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// What a load did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleImport {
    /// Barèmes for a region and year that had none.
    pub inserted: usize,
    /// Barèmes whose figures were replaced.
    pub updated: usize,
    /// Barèmes loaded again with the same figures.
    pub unchanged: usize,
    /// Bureaux whose fixed part was called or changed.
    pub fixed_parts_called: usize,
}

/// A whole number of cents, `0` to [`MAX_PAYMENT_CENTS`] (the largest amount of one payment).
fn cents(value: &str) -> Result<i64, String> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| within_maximum(*c))
        .ok_or_else(|| {
            format!("{value:?} is not a whole number of cents from 0 to {MAX_PAYMENT_CENTS}")
        })
}

/// A percentage with at most two decimals (`70`, `12.5`, `12,50`), as basis points, 0 to 100 %.
fn percent(value: &str) -> Result<i32, String> {
    let error =
        || format!("{value:?} is not a percentage between 0 and 100 with at most two decimals");
    let value = value.trim();
    let (whole, fraction) = value.split_once(['.', ',']).unwrap_or((value, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole)
        || whole.len() > 3
        || fraction.len() > 2
        || !(fraction.is_empty() || digits(fraction))
    {
        return Err(error());
    }
    let whole: i32 = whole.parse().map_err(|_| error())?;
    let fraction: i32 = format!("{fraction:0<2}").parse().map_err(|_| error())?;
    let bp = whole * 100 + fraction;
    (0..=10_000).contains(&bp).then_some(bp).ok_or_else(error)
}

/// Parses a file into rows (no database): comma- or semicolon-separated, UTF-8, with a header.
pub fn parse(input: impl Read, now: NaiveDateTime) -> Result<Vec<ScaleRow>, ScaleImportError> {
    let mut text = String::new();
    let mut input = input;
    input
        .read_to_string(&mut text)
        .map_err(|e| ScaleImportError::Format(format!("the file is not UTF-8 text: {e}")))?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ScaleImportError::Format(e.to_string()))?
        .clone();
    let mut index = [0usize; 11];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = headers
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| ScaleImportError::Format(format!("missing column {column}")))?;
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = record.map_err(|e| ScaleImportError::Row {
            line,
            message: e.to_string(),
        })?;
        let field = |i: usize| record.get(index[i]).unwrap_or_default();
        let row = (|| -> Result<ScaleRow, String> {
            let campaign_year: i32 = field(1)
                .parse()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| format!("{:?} is not a campaign year", field(1)))?;
            Ok(ScaleRow {
                region_code: field(0).to_owned(),
                campaign_year,
                pp_independant_cents: cents(field(2))?,
                pp_salarie_cents: cents(field(3))?,
                pp_83ter_rate_bp: percent(field(4))?,
                pp_83quater_rate_bp: percent(field(5))?,
                new_member_year1_reduction_bp: percent(field(6))?,
                new_member_year2_reduction_bp: percent(field(7))?,
                bureau_fixed_cents: cents(field(8))?,
                pm_fixed_cents: cents(field(9))?,
                pm_per_head_cents: cents(field(10))?,
                created_at: now,
                updated_at: now,
            })
        })()
        .map_err(|message| ScaleImportError::Row { line, message })?;
        rows.push(row);
    }
    Ok(rows)
}

/// Loads a barème file: every row or none, then calls the fixed parts of the bureaux concerned.
pub fn load_csv(
    conn: &mut DbConnection,
    input: impl Read,
) -> Result<ScaleImport, ScaleImportError> {
    let now = db::now();
    let rows = parse(input, now)?;
    db::write_transaction(conn, |conn| {
        let mut report = ScaleImport {
            inserted: 0,
            updated: 0,
            unchanged: 0,
            fixed_parts_called: 0,
        };
        for (n, row) in rows.iter().enumerate() {
            let known: i64 = regions::table
                .filter(regions::code.eq(&row.region_code))
                .count()
                .get_result(conn)?;
            if known == 0 {
                return Err(ScaleImportError::Row {
                    line: n as u64 + 2,
                    message: format!("unknown region {:?}", row.region_code),
                });
            }
            match row.upsert(conn)? {
                Upserted::Inserted => report.inserted += 1,
                Upserted::Updated => report.updated += 1,
                Upserted::Unchanged => report.unchanged += 1,
            }
            report.fixed_parts_called +=
                call_fixed_parts(conn, &row.region_code, row.campaign_year, now)?;
        }
        Ok(report)
    })
}

/// Calls the fixed part of every bureau of the region for the campaign of `year`, when that
/// campaign exists, is open and has a barème. Returns how many bureaux got a new or changed call.
pub fn call_fixed_parts(
    conn: &mut DbConnection,
    region_code: &str,
    year: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let campaign: Option<String> = campaigns::table
        .filter(campaigns::region_code.eq(region_code))
        .filter(campaigns::year.eq(year))
        .filter(campaigns::is_open.eq(true))
        .select(campaigns::id)
        .first(conn)
        .optional()?;
    let (Some(campaign_id), Some(scale)) = (campaign, ScaleRow::find(conn, region_code, year)?)
    else {
        return Ok(0);
    };
    let ids: Vec<String> = bureaux::table
        .filter(bureaux::region_code.eq(region_code))
        .order(bureaux::bureau_ref)
        .select(bureaux::id)
        .load(conn)?;
    let mut called = 0;
    for bureau_id in ids {
        db::lock_for_update(conn, db::LockTarget::Bureau, &bureau_id)?;
        if call_bureau_fixed_part(
            conn,
            &campaign_id,
            &bureau_id,
            scale.scale().bureau_fixed_cents,
            now,
        )? {
            called += 1;
        }
    }
    Ok(called)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "region_code,campaign_year,pp_independant_cents,pp_salarie_cents,pp_83ter_percent,pp_83quater_percent,new_member_year1_reduction_percent,new_member_year2_reduction_percent,bureau_fixed_cents,pm_fixed_cents,pm_per_head_cents";

    fn now() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_790_000_000, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn a_row_gives_cents_and_basis_points() {
        let csv = format!("{HEADER}\nbretagne,2026,45000,38000,70,50,50,12.5,30000,20000,1250\n");
        let rows = parse(csv.as_bytes(), now()).expect("parses");
        assert_eq!(rows.len(), 1);
        let scale = rows[0].scale();
        assert_eq!(scale.pp_83ter_rate_bp, 7_000);
        assert_eq!(scale.new_member_year2_reduction_bp, 1_250);
        assert_eq!(scale.pm_per_head_cents, 1_250);
        assert_eq!(rows[0].campaign_year, 2026);
    }

    #[test]
    fn semicolons_and_decimal_commas_of_french_spreadsheets_are_read() {
        let csv = format!(
            "{}\nbretagne;2026;45000;38000;70,5;50;50;25;30000;20000;1250\n",
            HEADER.replace(',', ";")
        );
        let rows = parse(csv.as_bytes(), now()).expect("parses");
        assert_eq!(rows[0].pp_83ter_rate_bp, 7_050);
    }

    #[test]
    fn invalid_values_name_their_line() {
        for bad in [
            "bretagne,2026,45000.5,38000,70,50,50,25,30000,20000,1250",
            "bretagne,2026,45000,38000,170,50,50,25,30000,20000,1250",
            "bretagne,2026,45000,38000,70,50,50,25,-1,20000,1250",
            "bretagne,26,45000,38000,70,50,50,25,30000,20000,1250",
            "bretagne,2026,45000,38000,70.123,50,50,25,30000,20000,1250",
        ] {
            let csv = format!("{HEADER}\nbretagne,2026,1,1,1,1,1,1,1,1,1\n{bad}\n");
            match parse(csv.as_bytes(), now()) {
                Err(ScaleImportError::Row { line: 3, .. }) => {}
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_demo_bareme_covers_every_region() {
        let rows = parse(DEMO_SCALES.as_bytes(), now()).expect("parses");
        assert_eq!(rows.len(), 24);
        assert!(rows.iter().all(|r| r.campaign_year == 2026));
    }

    #[test]
    fn a_missing_column_is_named() {
        let csv = "region_code,campaign_year\nbretagne,2026\n";
        match parse(csv.as_bytes(), now()) {
            Err(ScaleImportError::Format(message)) => {
                assert!(message.contains("pp_independant_cents"))
            }
            other => panic!("{other:?}"),
        }
    }
}
