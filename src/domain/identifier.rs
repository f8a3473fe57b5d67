//! Identifiers: how a person signs in. Never the email, never changed once created.

use crate::{error::FieldIssue, i18n::Text};

/// Shortest identifier a RAC may choose.
pub const MIN_LEN: usize = 3;
/// Longest identifier.
pub const MAX_LEN: usize = 40;

/// A valid identifier: lowercase ASCII letters and digits, with `.`, `-` or `_` inside, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier(String);

impl Identifier {
    /// Parses an identifier a RAC chose (case is folded: identifiers compare lowercase).
    pub fn parse(raw: &str) -> Result<Self, FieldIssue> {
        let value = raw.trim().to_ascii_lowercase();
        let charset_ok = value.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        });
        let starts_with_letter = value.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        let ends_well = value
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric());
        if !(MIN_LEN..=MAX_LEN).contains(&value.len())
            || !charset_ok
            || !starts_with_letter
            || !ends_well
        {
            return Err(FieldIssue::new(
                "identifier",
                "identifier_format",
                Text::owned(
                    format!(
                        "L'identifiant doit comporter {MIN_LEN} à {MAX_LEN} caractères : lettres sans accent, chiffres, « . », « - » ou « _ », en commençant par une lettre."
                    ),
                    format!(
                        "The identifier must be {MIN_LEN} to {MAX_LEN} characters: unaccented letters, digits, '.', '-' or '_', starting with a letter."
                    ),
                ),
            ));
        }
        Ok(Self(value))
    }

    /// Wraps a generated identifier (already valid by construction).
    pub fn generated(value: String) -> Self {
        Self(value)
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the newtype.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The `n`-th candidate for a generated identifier: `base`, then `base2`, `base3`…
pub fn candidate(base: &str, n: u32) -> String {
    let base: String = base.chars().take(MAX_LEN - 4).collect();
    if n <= 1 {
        base
    } else {
        format!("{base}{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_identifiers_follow_the_charset() {
        assert_eq!(
            Identifier::parse(" J.Martin-RAC ").expect("valid").as_str(),
            "j.martin-rac"
        );
        for bad in [
            "ab",
            "1abc",
            "abc-",
            "jean martin",
            "jean@martin.fr",
            "élodie",
            &"a".repeat(41),
        ] {
            assert!(Identifier::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn collision_candidates_append_digits() {
        assert_eq!(candidate("mdurand", 1), "mdurand");
        assert_eq!(candidate("mdurand", 2), "mdurand2");
    }
}
