//! The password policy of the guide (at least 6 characters, a digit and a special character),
//! with a configurable, higher minimum length, and no password built on the identifier.

use crate::{error::FieldIssue, i18n::Text};

/// Longest password accepted: bounds the hashing cost of a single request.
pub const MAX_LEN: usize = 256;

/// Every rule `password` breaks (empty when it is acceptable). `field` names the request field.
pub fn check(
    password: &str,
    min_length: usize,
    identifier: Option<&str>,
    field: &str,
) -> Vec<FieldIssue> {
    let mut broken = Vec::new();
    let length = password.chars().count();
    if length < min_length {
        broken.push(FieldIssue::new(
            field,
            "min_length",
            Text::owned(
                format!("Le mot de passe doit comporter au moins {min_length} caractères."),
                format!("The password must be at least {min_length} characters long."),
            ),
        ));
    }
    if length > MAX_LEN {
        broken.push(FieldIssue::new(
            field,
            "max_length",
            Text::owned(
                format!("Le mot de passe doit comporter au plus {MAX_LEN} caractères."),
                format!("The password must be at most {MAX_LEN} characters long."),
            ),
        ));
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        broken.push(FieldIssue::new(
            field,
            "digit_required",
            Text::new(
                "Le mot de passe doit contenir au moins un chiffre.",
                "The password must contain at least one digit.",
            ),
        ));
    }
    if !password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        broken.push(FieldIssue::new(
            field,
            "special_character_required",
            Text::new(
                "Le mot de passe doit contenir au moins un caractère spécial (ni lettre ni chiffre).",
                "The password must contain at least one special character (neither a letter nor a digit).",
            ),
        ));
    }
    if let Some(identifier) = identifier.filter(|i| !i.is_empty()) {
        if password.to_lowercase().contains(&identifier.to_lowercase()) {
            broken.push(FieldIssue::new(
                field,
                "contains_identifier",
                Text::new(
                    "Le mot de passe ne doit pas contenir votre identifiant.",
                    "The password must not contain your identifier.",
                ),
            ));
        }
    }
    broken
}

/// The confirmation must repeat the password exactly.
pub fn check_confirmation(password: &str, confirmation: &str, field: &str) -> Option<FieldIssue> {
    (password != confirmation).then(|| {
        FieldIssue::new(
            field,
            "confirmation_mismatch",
            Text::new(
                "La confirmation ne correspond pas au mot de passe.",
                "The confirmation does not match the password.",
            ),
        )
    })
}

/// A new password as the forms ask for it: typed, then typed again.
pub struct NewPassword {
    /// The password.
    pub password: String,
    /// The same password again.
    pub confirmation: String,
}

impl NewPassword {
    /// Every rule the new password breaks, the confirmation's mismatch included; `fields` names
    /// the request's password field and its confirmation field.
    pub fn issues(
        &self,
        min_length: usize,
        identifier: &str,
        fields: (&str, &str),
    ) -> Vec<FieldIssue> {
        let mut issues = check(&self.password, min_length, Some(identifier), fields.0);
        issues.extend(check_confirmation(
            &self.password,
            &self.confirmation,
            fields.1,
        ));
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(password: &str, min: usize, identifier: Option<&str>) -> Vec<&'static str> {
        check(password, min, identifier, "password")
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    #[test]
    fn the_guide_floor_accepts_six_characters_with_a_digit_and_a_special() {
        assert!(codes("abc1!x", 6, None).is_empty());
    }

    #[test]
    fn every_broken_rule_is_listed() {
        assert_eq!(
            codes("abc", 6, None),
            ["min_length", "digit_required", "special_character_required"]
        );
        assert_eq!(codes("abcdefgh1", 6, None), ["special_character_required"]);
        assert_eq!(codes("abc1!x", 12, None), ["min_length"]);
        assert_eq!(
            codes("Mdurand-2026", 6, Some("mdurand")),
            ["contains_identifier"]
        );
    }
}
