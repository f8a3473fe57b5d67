//! The error side of the document: the Problem's `code` as the enum of every code the API
//! answers, each error response with an example of its own (its first code, its status), and the
//! 401 of operations that need sign-in spelled out once for all of them.

use serde_json::{json, Value};
use utoipa::openapi::{
    header::HeaderBuilder,
    path::Operation,
    schema::{ObjectBuilder, Schema, Type},
    OpenApi, RefOr, Response,
};

use crate::{
    auth::extractor::SIGN_IN_REQUIRED_CODES,
    error::{ErrorCode, PROBLEM_TYPE_BASE},
};

/// How an operation's own description names the refusals of [`crate::auth::extractor`]: they
/// are written out here rather than in each of the routes that need sign-in.
const SIGN_IN_PLACEHOLDER: &str = "`unauthorized`";

/// Applies the above to the whole document.
pub fn document(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    if let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") {
        if let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") {
            code.enum_values = Some(ErrorCode::ALL.iter().map(|c| json!(c.as_str())).collect());
        }
    }
    for (name, response) in components.responses.iter_mut() {
        if let RefOr::T(response) = response {
            let status = shared_status(name);
            add_example(response, status);
        }
    }
    for item in api.paths.paths.values_mut() {
        for operation in super::operations_mut(item) {
            document_operation(operation);
        }
    }
}

fn shared_status(name: &str) -> u16 {
    match name {
        "PayloadTooLarge" => 413,
        "UnsupportedMediaType" => 415,
        "InvalidBody" => 422,
        _ => 400,
    }
}

fn document_operation(operation: &mut Operation) {
    let sign_in_codes = SIGN_IN_REQUIRED_CODES
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    for (status, response) in operation.responses.responses.iter_mut() {
        let (Ok(status), RefOr::T(response)) = (status.parse::<u16>(), response) else {
            continue;
        };
        if status == 401 && response.description.contains(SIGN_IN_PLACEHOLDER) {
            response.headers.insert(
                "WWW-Authenticate".to_owned(),
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(Type::String))
                    .description(Some(
                        "`Bearer realm=\"comptexpert\"` without a token; else with \
                         `error=\"invalid_token\"` and an `error_description` (RFC 6750)",
                    ))
                    .build(),
            );
            response.description = response.description.replace(
                SIGN_IN_PLACEHOLDER,
                &format!(
                    "{sign_in_codes} (no, a malformed, an expired access token, or its session \
                     closed; with `WWW-Authenticate: Bearer`)"
                ),
            );
        }
        if status >= 400 {
            add_example(response, status);
        }
    }
}

/// The first code a response's description names.
fn first_code(description: &str) -> Option<ErrorCode> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .find_map(|word| ErrorCode::ALL.iter().find(|c| c.as_str() == word).copied())
}

/// A problem example for the response: its status, its first code.
fn add_example(response: &mut Response, status: u16) {
    let Some(code) = first_code(&response.description) else {
        return;
    };
    for content in response.content.values_mut() {
        if content.example.is_none() {
            content.example = Some(example(code, status));
        }
    }
}

fn example(code: ErrorCode, status: u16) -> Value {
    let title = match status {
        400 => "Requête invalide",
        401 => "Authentification requise",
        403 => "Accès refusé",
        404 => "Ressource introuvable",
        405 => "Méthode non autorisée",
        409 => "Conflit",
        410 => "Lien expiré",
        413 => "Requête trop volumineuse",
        415 => "Type de contenu non pris en charge",
        422 => "Requête invalide",
        429 => "Trop de requêtes",
        503 => "Service indisponible",
        _ => "Erreur",
    };
    json!({
        "type": format!("{PROBLEM_TYPE_BASE}{code}"),
        "title": title,
        "status": status,
        "detail": format!("Le texte de ce cas (`{code}`), en français ou en anglais selon Accept-Language."),
        "code": code.as_str(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Codes answered by any operation, or by none of the documented ones, so that no operation's
    /// own error responses name them: a 500 or the 503 of an unreachable database anywhere, a
    /// status the framework refused with, the fallback's 404 and 405 (an unknown route, a front
    /// end's page asked of the API, a method the route does not take) and refused CORS requests.
    const ANSWERED_BY_ANY_OPERATION: &[ErrorCode] = &[
        ErrorCode::CorsHeadersNotAllowed,
        ErrorCode::CorsMethodNotAllowed,
        ErrorCode::CorsOriginNotAllowed,
        ErrorCode::CorsRefused,
        ErrorCode::FrontEndPage,
        ErrorCode::InternalError,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestRefused,
        ErrorCode::RouteNotFound,
        ErrorCode::ServiceUnavailable,
    ];

    /// Codes of a field's rule (`errors[].code`, not a problem's) that an error response's
    /// description names to say which field refusals it carries.
    const FIELD_CODES_NAMED: &[&str] = &["managed_by_register"];

    fn document() -> Value {
        serde_json::from_str(&crate::openapi::document_json()).expect("document")
    }

    /// The descriptions of every error response, an operation's or a shared one.
    fn error_descriptions(document: &Value) -> Vec<String> {
        let operations = document["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("path item").values());
        let of_operations = operations
            .filter_map(|operation| operation["responses"].as_object())
            .flat_map(|responses| responses.iter())
            .filter(|(status, _)| status.parse::<u16>().is_ok_and(|s| s >= 400))
            .map(|(_, response)| response);
        let shared = document["components"]["responses"]
            .as_object()
            .into_iter()
            .flat_map(|responses| responses.values());
        of_operations
            .chain(shared)
            .filter_map(|response| response["description"].as_str())
            .map(str::to_owned)
            .collect()
    }

    /// The words in backticks that read as a code (`snake_case`).
    fn named_codes(description: &str) -> impl Iterator<Item = &str> {
        description.split('`').skip(1).step_by(2).filter(|word| {
            word.starts_with(|c: char| c.is_ascii_lowercase())
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
    }

    /// The names the document gives to other things than problem codes: properties,
    /// parameters, values of enums other than the problem's `code`.
    fn other_names(value: &Value, names: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    names.extend(properties.keys().cloned());
                }
                if map.get("in").is_some() {
                    if let Some(Value::String(name)) = map.get("name") {
                        names.insert(name.clone());
                    }
                }
                if let Some(Value::Array(values)) = map.get("enum") {
                    let is_problem_code = values.len() == ErrorCode::ALL.len()
                        && values.iter().any(|v| v == "internal_error");
                    if !is_problem_code {
                        names.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
                    }
                }
                map.values().for_each(|v| other_names(v, names));
            }
            Value::Array(items) => items.iter().for_each(|v| other_names(v, names)),
            _ => {}
        }
    }

    #[test]
    fn the_codes_are_sorted_unique_and_the_problem_code_enum() {
        let wire: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = wire.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            wire, sorted,
            "keep the table of src/error/code.rs sorted, each code once"
        );
        let document = document();
        let enum_values: Vec<&str> = document["components"]["schemas"]["Problem"]["properties"]
            ["code"]["enum"]
            .as_array()
            .expect("the code enum")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(enum_values, wire);
    }

    #[test]
    fn every_code_an_error_response_names_is_an_error_code() {
        let document = document();
        let mut others = BTreeSet::new();
        other_names(&document, &mut others);
        let descriptions = error_descriptions(&document);
        let unknown: BTreeSet<&str> = descriptions
            .iter()
            .flat_map(|d| named_codes(d))
            .filter(|word| !ErrorCode::ALL.iter().any(|c| c.as_str() == *word))
            .filter(|word| !others.contains(*word) && !FIELD_CODES_NAMED.contains(word))
            .collect();
        assert!(
            unknown.is_empty(),
            "error responses name codes that are no ErrorCode: {unknown:?}"
        );
    }

    #[test]
    fn every_error_code_is_named_by_an_error_response_or_answered_by_any_operation() {
        let descriptions = error_descriptions(&document());
        let named: BTreeSet<&str> = descriptions.iter().flat_map(|d| named_codes(d)).collect();
        let unnamed: Vec<&str> = ErrorCode::ALL
            .iter()
            .filter(|c| !ANSWERED_BY_ANY_OPERATION.contains(c))
            .map(|c| c.as_str())
            .filter(|c| !named.contains(c))
            .collect();
        assert!(
            unnamed.is_empty(),
            "codes no error response names: {unnamed:?}"
        );
        for code in SIGN_IN_REQUIRED_CODES {
            assert!(named.contains(code.as_str()), "{code}");
        }
    }
}
