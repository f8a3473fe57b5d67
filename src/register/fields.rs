//! Field parsers for the extracts' columns, on top of the domain's. `Err` is the operator's
//! reason, starting with the column's name.

use chrono::{Datelike, NaiveDate};

use crate::{domain::person, error::FieldIssue, i18n::Lang};

/// The operator's reason for a field the domain parser refused.
pub fn reason(issue: FieldIssue) -> String {
    format!("{}: {}", issue.field, issue.message.get(Lang::En))
}

/// A required free-text field of at most `max` characters.
pub fn text(raw: &str, field: &str, max: usize) -> Result<String, String> {
    person::parse_text(raw, field, max).map_err(reason)
}

/// A reference of the Ordre's systems (firm, bureau): letters, digits, `-`, `_`, `.`, `/`.
pub fn reference(raw: &str, field: &str) -> Result<String, String> {
    let valid = (1..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "{field}: 1 to 40 letters, digits, '-', '_', '.' or '/'"
        ))
    }
}

/// A code of reference data (region, qualité): lowercase letters, digits, `-` and `_`.
pub fn code(raw: &str, field: &str) -> Result<String, String> {
    let valid = (1..=60).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "{field}: a code of lowercase letters, digits, '-' or '_'"
        ))
    }
}

/// A whole number within `range`.
pub fn integer(
    raw: &str,
    field: &str,
    range: std::ops::RangeInclusive<i32>,
) -> Result<i32, String> {
    match raw.parse::<i32>() {
        Ok(value) if range.contains(&value) => Ok(value),
        _ => Err(format!(
            "{field}: a whole number from {} to {}",
            range.start(),
            range.end()
        )),
    }
}

/// A date written `YYYY-MM-DD`, exactly.
pub fn date(raw: &str, field: &str) -> Result<NaiveDate, String> {
    let parsed = (raw.len() == 10)
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten();
    parsed.ok_or_else(|| format!("{field}: a date written YYYY-MM-DD"))
}

/// The current year, bounding years in the extracts.
pub fn this_year() -> i32 {
    chrono::Utc::now().year()
}
