//! The SUPRA number: the registration number at the Ordre, an opaque string of digits.

use crate::{error::FieldIssue, i18n::Text};

/// A well-formed SUPRA number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupraNumber(String);

impl SupraNumber {
    /// Digits only, 4 to 15 of them; surrounding and inner spaces are tolerated (copied from a card).
    pub fn parse(raw: &str) -> Result<Self, FieldIssue> {
        let value: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if (4..=15).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value))
        } else {
            Err(FieldIssue::new(
                "supra_number",
                "supra_number",
                Text::new(
                    "Le numéro SUPRA est composé de 4 à 15 chiffres.",
                    "The SUPRA number is made of 4 to 15 digits.",
                ),
            ))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_only() {
        assert_eq!(
            SupraNumber::parse(" 0012 3456 ").expect("valid").as_str(),
            "00123456"
        );
        assert!(SupraNumber::parse("12a456").is_err());
        assert!(SupraNumber::parse("12").is_err());
    }
}
