//! An IBAN (ISO 13616), checked once when the configuration is read: payers copy it into their
//! bank's form, so a typo in the configuration would send their money nowhere, or elsewhere.

use std::fmt;

/// A syntactically valid IBAN with a correct check (mod 97), kept without spaces, uppercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iban(String);

impl Iban {
    /// Parses an IBAN written with or without spaces, in any case.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let well_formed = (15..=34).contains(&compact.len())
            && compact.chars().all(|c| c.is_ascii_alphanumeric())
            && compact[..2].chars().all(|c| c.is_ascii_alphabetic())
            && compact[2..4].chars().all(|c| c.is_ascii_digit());
        if !well_formed {
            return Err(format!("{raw:?} is not an IBAN"));
        }
        // The check of ISO 7064: the country and check digits moved to the end, each letter
        // replaced by its number (A = 10 … Z = 35), the whole read modulo 97 must leave 1.
        let rearranged = compact[4..].chars().chain(compact[..4].chars());
        let remainder = rearranged.fold(0u32, |acc, c| {
            let value = c.to_digit(36).unwrap_or(0);
            if value < 10 {
                (acc * 10 + value) % 97
            } else {
                (acc * 100 + value) % 97
            }
        });
        if remainder != 1 {
            return Err(format!("{raw:?}: wrong IBAN check digits"));
        }
        Ok(Self(compact))
    }

    /// Without spaces (`FR7630006000011234567890189`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// In groups of four (`FR76 3000 6000 0112 3456 7890 189`), as banks print it.
impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_iban_is_kept_compact_and_printed_in_groups_of_four() {
        let iban = Iban::parse("fr76 3000 6000 0112 3456 7890 189").expect("valid");
        assert_eq!(iban.as_str(), "FR7630006000011234567890189");
        assert_eq!(iban.to_string(), "FR76 3000 6000 0112 3456 7890 189");
    }

    #[test]
    fn a_typo_or_a_malformed_iban_is_refused() {
        assert!(Iban::parse("FR7630006000011234567890188").is_err());
        assert!(Iban::parse("FR76").is_err());
        assert!(Iban::parse("7630006000011234567890189FR").is_err());
        assert!(Iban::parse("FR76 3000 6000 0112 3456 7890 18!").is_err());
    }
}
