//! Reading one CSV extract of the register: UTF-8, a header row naming exactly the expected
//! columns (in any order), comma-separated, every row validated before anything is written.

use std::{collections::HashMap, hash::Hash, path::Path};

use serde::de::DeserializeOwned;

use super::ImportError;

/// A validated row and the line of the file it came from (the header is line 1).
#[derive(Debug, Clone)]
pub struct Line<T> {
    /// 1-based line number in the file, for error messages.
    pub number: u64,
    /// The validated row.
    pub row: T,
}

/// One kind of extract: its file name, its columns and how a raw record becomes a valid row.
pub trait RegisterFile {
    /// The file's name inside the import folder (`members.csv`).
    const FILE: &'static str;
    /// The header row's columns.
    const COLUMNS: &'static [&'static str];
    /// The record as read: one `String` per column.
    type Record: DeserializeOwned;
    /// The natural key; two rows of one file may not share it.
    type Key: Eq + Hash + std::fmt::Display;

    /// Checks one record on its own (formats and ranges; references are checked against the
    /// database later, inside the import's transaction). `Err` is the reason, for the operator.
    fn validate(record: Self::Record) -> Result<Self, String>
    where
        Self: Sized;

    /// The row's natural key.
    fn key(&self) -> Self::Key;
}

/// Reads and validates `dir/F::FILE`; `Ok(None)` when the folder has no such file.
pub fn read<F: RegisterFile>(dir: &Path) -> Result<Option<Vec<Line<F>>>, ImportError> {
    let path = dir.join(F::FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&path)
        .map_err(|error| csv_error(F::FILE, &error))?;
    let headers = reader
        .headers()
        .map_err(|error| csv_error(F::FILE, &error))?
        .clone();
    check_headers(F::FILE, F::COLUMNS, &headers)?;

    let mut lines: Vec<Line<F>> = Vec::new();
    let mut seen: HashMap<F::Key, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|error| csv_error(F::FILE, &error))?
    {
        let number = record.position().map_or(0, csv::Position::line);
        let row_error = |reason: String| ImportError::Row {
            file: F::FILE,
            line: number,
            reason,
        };
        let raw: F::Record = record
            .deserialize(Some(&headers))
            .map_err(|error| row_error(error.to_string()))?;
        let row = F::validate(raw).map_err(row_error)?;
        if let Some(first) = seen.insert(row.key(), number) {
            return Err(row_error(format!(
                "duplicate key {}, already on line {first}",
                row.key()
            )));
        }
        lines.push(Line { number, row });
    }
    Ok(Some(lines))
}

/// The header must name every expected column once and nothing else: a misspelt column is an
/// extract of another format, better refused than half-read.
fn check_headers(
    file: &'static str,
    expected: &[&str],
    headers: &csv::StringRecord,
) -> Result<(), ImportError> {
    let header_error = |reason: String| ImportError::Row {
        file,
        line: 1,
        reason,
    };
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|column| !headers.iter().any(|h| h == *column))
        .collect();
    if !missing.is_empty() {
        return Err(header_error(format!(
            "missing column(s): {}",
            missing.join(", ")
        )));
    }
    if let Some(unknown) = headers.iter().find(|h| !expected.contains(h)) {
        return Err(header_error(format!("unknown column \"{unknown}\"")));
    }
    if headers.len() != expected.len() {
        return Err(header_error("a column appears twice".to_owned()));
    }
    Ok(())
}

/// A malformed file (bad UTF-8, a row with the wrong number of fields, unreadable) as an error
/// that names the file and, when the reader knows it, the line.
fn csv_error(file: &'static str, error: &csv::Error) -> ImportError {
    let line = error.position().map_or(0, csv::Position::line);
    let reason = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".to_owned(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        csv::ErrorKind::Io(io) => {
            return ImportError::Read {
                file,
                reason: io.to_string(),
            }
        }
        _ => error.to_string(),
    };
    ImportError::Row { file, line, reason }
}
