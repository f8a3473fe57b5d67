//! Email addresses: parsed once, stored lowercase, shown masked.

use crate::{error::FieldIssue, i18n::Text};

/// A syntactically valid email address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses `raw`; `field` names the request field in the error.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldIssue> {
        let value = raw.trim().to_lowercase();
        if value.len() > 254 || !validator::ValidateEmail::validate_email(&value) {
            return Err(FieldIssue::new(
                field,
                "email",
                Text::new("Adresse email invalide.", "Invalid email address."),
            ));
        }
        Ok(Self(value))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the newtype.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The guide's masked form: first character, an ellipsis, then the domain (`m…@exemple.fr`).
pub fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

/// What logs may show of an address: its domain only.
pub fn log_form(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((_, domain)) => format!("…@{domain}"),
        None => "…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lowercases() {
        assert_eq!(
            Email::parse(" Marie.Durand@Exemple.FR ", "email")
                .expect("valid")
                .as_str(),
            "marie.durand@exemple.fr"
        );
        assert!(Email::parse("not-an-email", "email").is_err());
        assert!(Email::parse("", "email").is_err());
    }

    #[test]
    fn masks_as_the_guide_does() {
        assert_eq!(mask("marie.durand@exemple.fr"), "m…@exemple.fr");
        assert_eq!(log_form("marie.durand@exemple.fr"), "…@exemple.fr");
    }
}
