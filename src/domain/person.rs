//! French personal-data formats: civility, postal code, phone number, birth year, names.

use chrono::Datelike;

use crate::{error::FieldIssue, i18n::Text};

/// `M` or `MME`, as the register writes them (`Mme`, `madame`, `Monsieur` are accepted).
pub fn parse_civility(raw: &str) -> Result<&'static str, FieldIssue> {
    match raw.trim().to_ascii_uppercase().as_str() {
        "M" | "M." | "MR" | "MONSIEUR" => Ok("M"),
        "MME" | "MADAME" => Ok("MME"),
        _ => Err(FieldIssue::new(
            "civility",
            "civility",
            Text::new(
                "La civilité doit être « M » ou « MME ».",
                "Civility must be 'M' or 'MME'.",
            ),
        )),
    }
}

/// A French postal code: exactly 5 digits.
pub fn parse_postal_code(raw: &str, field: &str) -> Result<String, FieldIssue> {
    let value = raw.trim();
    if value.len() == 5 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(FieldIssue::new(
            field,
            "postal_code",
            Text::new(
                "Le code postal doit comporter 5 chiffres.",
                "The postal code must be 5 digits.",
            ),
        ))
    }
}

/// A phone number: 10 digits starting with 0 (`0X XX XX XX XX`), or `+` and a country code
/// (`+33`, overseas `+262`, `+590`…) with 8 to 14 more digits. Spaces, dots and dashes are ignored.
/// Stored in E.164 for `+` numbers and as 10 digits otherwise.
pub fn parse_phone(raw: &str) -> Result<String, FieldIssue> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let valid = if let Some(rest) = compact.strip_prefix('+') {
        (9..=15).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_digit())
            && !rest.starts_with('0')
    } else {
        compact.len() == 10
            && compact.starts_with('0')
            && compact.bytes().all(|b| b.is_ascii_digit())
    };
    if valid {
        Ok(compact)
    } else {
        Err(FieldIssue::new(
            "phone",
            "phone",
            Text::new(
                "Le téléphone doit comporter 10 chiffres (0X XX XX XX XX) ou commencer par un indicatif (+33…).",
                "The phone number must be 10 digits (0X XX XX XX XX) or start with a country code (+33…).",
            ),
        ))
    }
}

/// A birth year between 100 and 15 years ago.
pub fn parse_birth_year(year: i32) -> Result<i32, FieldIssue> {
    let this_year = chrono::Utc::now().year();
    if (this_year - 100..=this_year - 15).contains(&year) {
        Ok(year)
    } else {
        Err(FieldIssue::new(
            "birth_year",
            "birth_year",
            Text::owned(
                format!(
                    "L'année de naissance doit être comprise entre {} et {}.",
                    this_year - 100,
                    this_year - 15
                ),
                format!(
                    "The birth year must be between {} and {}.",
                    this_year - 100,
                    this_year - 15
                ),
            ),
        ))
    }
}

/// A required free-text field of bounded length, trimmed.
pub fn parse_text(raw: &str, field: &str, max: usize) -> Result<String, FieldIssue> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldIssue::new(
            field,
            "required",
            Text::new("Ce champ est obligatoire.", "This field is required."),
        ));
    }
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(FieldIssue::new(
            field,
            "invalid_text",
            Text::owned(
                format!("Ce champ accepte au plus {max} caractères, sans caractère de contrôle."),
                format!("This field accepts at most {max} characters, without control characters."),
            ),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_formats() {
        assert_eq!(parse_civility("Mme").expect("valid"), "MME");
        assert!(parse_civility("Dr").is_err());
        assert_eq!(
            parse_postal_code("75008", "postal_code").expect("valid"),
            "75008"
        );
        assert!(parse_postal_code("7500", "postal_code").is_err());
        assert_eq!(parse_phone("01 23 45 67 89").expect("valid"), "0123456789");
        assert_eq!(
            parse_phone("+262 692 12 34 56").expect("valid"),
            "+262692123456"
        );
        assert!(parse_phone("12345").is_err());
        assert!(parse_birth_year(1850).is_err());
        assert!(parse_text("  ", "city", 80).is_err());
    }
}
