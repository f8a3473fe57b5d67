//! What the JSON, query and path parsers' refusals mean, in the caller's language: serde words
//! its errors in English for programmers ("missing field `x` at line 1 column 2"), which must not
//! reach a French answer. Each kind gets its own message and, when serde names the field, a field
//! error pointing at it.

use crate::{
    error::{ApiError, FieldIssue},
    i18n::Text,
};

/// What serde said, sorted by kind.
#[derive(Debug, PartialEq, Eq)]
enum Refusal<'a> {
    /// `missing field `x``.
    Missing(&'a str),
    /// `unknown field `x`, expected …` (bodies that deny unknown fields).
    Unknown(&'a str),
    /// `unknown variant `x`, expected one of …`: a value outside an enumeration.
    Variant(&'a str, &'a str),
    /// `invalid type: …, expected …`.
    WrongType(&'a str),
    /// Anything else: a value of the right type that does not parse (a date, a number too big…).
    Other,
}

/// Text between the first pair of backquotes after `prefix`.
fn quoted<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.split('`').next()
}

fn classify(message: &str) -> Refusal<'_> {
    if let Some(field) = quoted(message, "missing field `") {
        return Refusal::Missing(field);
    }
    if let Some(field) = quoted(message, "unknown field `") {
        return Refusal::Unknown(field);
    }
    if let Some(value) = quoted(message, "unknown variant `") {
        let expected = message
            .split_once("expected ")
            .map(|(_, rest)| rest.split(" at line ").next().unwrap_or(rest))
            .unwrap_or_default();
        return Refusal::Variant(value, expected);
    }
    if message.starts_with("invalid type: ") {
        let expected = message
            .split_once(", expected ")
            .map(|(_, rest)| rest.split(" at line ").next().unwrap_or(rest))
            .unwrap_or_default();
        return Refusal::WrongType(expected);
    }
    Refusal::Other
}

/// The expected type, as serde names it, in French.
fn type_in_french(expected: &str) -> &'static str {
    match expected {
        "a string" => "une chaîne de caractères",
        "a boolean" => "un booléen (true ou false)",
        "a sequence" => "une liste",
        e if e.starts_with("struct ") || e == "a map" => "un objet",
        e if [
            "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize",
        ]
        .contains(&e) =>
        {
            "un nombre entier"
        }
        e if e.starts_with('f') && e.len() == 3 => "un nombre",
        _ => "une autre valeur",
    }
}

/// 422 `invalid_body` for a JSON body that does not match the request's schema.
pub fn invalid_body(error: &serde_json::Error) -> ApiError {
    let message = error.to_string();
    let at = Text::owned(
        format!("ligne {}, colonne {}", error.line(), error.column()),
        format!("line {}, column {}", error.line(), error.column()),
    );
    let detail = |fr: String, en: String| Text::owned(fr, en);
    match classify(&message) {
        Refusal::Missing(field) => ApiError::invalid_body(
            detail(
                format!("Le champ « {field} » est obligatoire."),
                format!("The field `{field}` is required."),
            ),
            vec![FieldIssue::new(
                field,
                "required",
                Text::new("Ce champ est obligatoire.", "This field is required."),
            )],
        ),
        Refusal::Unknown(field) => ApiError::invalid_body(
            detail(
                format!("Le champ « {field} » n'existe pas dans cette requête."),
                format!("The field `{field}` is not part of this request."),
            ),
            vec![FieldIssue::new(
                field,
                "unknown_field",
                Text::new(
                    "Ce champ n'existe pas dans cette requête.",
                    "This field is not part of this request.",
                ),
            )],
        ),
        Refusal::Variant(value, expected) => ApiError::invalid_body(
            detail(
                format!(
                    "La valeur « {value} » n'est pas acceptée ({}) ; valeurs possibles : {}.",
                    at.fr,
                    expected.trim_start_matches("one of ").replace('`', "")
                ),
                format!(
                    "The value `{value}` is not accepted ({}); expected {expected}.",
                    at.en
                ),
            ),
            Vec::new(),
        ),
        Refusal::WrongType(expected) => ApiError::invalid_body(
            detail(
                format!(
                    "Une valeur n'a pas le type attendu ({}) : il faut {}.",
                    at.fr,
                    type_in_french(expected)
                ),
                format!(
                    "A value has the wrong type ({}): expected {expected}.",
                    at.en
                ),
            ),
            Vec::new(),
        ),
        Refusal::Other => ApiError::invalid_body(
            detail(
                format!(
                    "Une valeur n'est pas dans le format attendu ({}). Le schéma de la requête \
                     est dans la documentation, sous /swagger-ui/.",
                    at.fr
                ),
                format!(
                    "A value is not in the expected format ({}): {}.",
                    at.en,
                    message.split(" at line ").next().unwrap_or(&message)
                ),
            ),
            Vec::new(),
        ),
    }
}

/// 400 `invalid_parameter` for a query string or path that does not parse.
pub fn invalid_parameter(message: &str) -> ApiError {
    match classify(message) {
        Refusal::Missing(name) => ApiError::invalid_parameter(
            Text::owned(
                format!("Le paramètre « {name} » est obligatoire."),
                format!("The parameter `{name}` is required."),
            ),
            vec![FieldIssue::parameter(
                name,
                "required",
                Text::new("Ce paramètre est obligatoire.", "This parameter is required."),
            )],
        ),
        Refusal::Unknown(name) => ApiError::invalid_parameter(
            Text::owned(
                format!("Le paramètre « {name} » n'existe pas pour cette opération."),
                format!("The parameter `{name}` is not part of this operation."),
            ),
            Vec::new(),
        ),
        _ => ApiError::invalid_parameter(
            Text::new(
                "Un paramètre de l'adresse n'a pas le format attendu (un nombre, une valeur de la liste…).",
                "A parameter of the address is not in the expected format (a number, a value from the list…).",
            ),
            Vec::new(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_are_sorted_by_kind() {
        assert_eq!(
            classify("missing field `birth_date` at line 1 column 27"),
            Refusal::Missing("birth_date")
        );
        assert_eq!(
            classify("unknown field `x`, expected `a` or `b` at line 1 column 4"),
            Refusal::Unknown("x")
        );
        assert_eq!(
            classify("invalid type: integer `5`, expected a string at line 1 column 20"),
            Refusal::WrongType("a string")
        );
        assert_eq!(
            classify("unknown variant `x`, expected `M` or `MME` at line 1 column 3"),
            Refusal::Variant("x", "`M` or `MME`")
        );
        assert_eq!(
            classify("input contains invalid characters"),
            Refusal::Other
        );
    }
}
