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

use crate::{auth::extractor::SIGN_IN_REQUIRED_CODES, error::PROBLEM_TYPE_BASE};

/// Every `code` of a problem this API answers, sorted. A unit test checks it against the codes
/// written in the sources and the ones the document's error responses name.
pub const ERROR_CODES: &[&str] = &[
    "account_not_found",
    "already_attached",
    "amount_mismatch",
    "bureau_not_found",
    "campaign_closed",
    "campaign_not_found",
    "certificate_already_enrolled",
    "certificate_expired",
    "certificate_limit_reached",
    "certificate_not_linked",
    "certificate_not_yet_valid",
    "certificate_revoked",
    "certificate_untrusted",
    "certificate_usage",
    "challenge_already_decided",
    "challenge_consumed",
    "challenge_expired",
    "cors_headers_not_allowed",
    "cors_method_not_allowed",
    "cors_origin_not_allowed",
    "cors_refused",
    "current_password_incorrect",
    "declaration_locked",
    "declaration_not_submitted",
    "device_already_enrolled",
    "device_limit_reached",
    "document_unavailable",
    "email_conflict",
    "firm_not_found",
    "front_end_page",
    "idempotency_in_progress",
    "idempotency_key_required",
    "idempotency_key_reused",
    "identifier_taken",
    "internal_error",
    "invalid_body",
    "invalid_certificate_chain",
    "invalid_challenge",
    "invalid_credentials",
    "invalid_event",
    "invalid_parameter",
    "invalid_poll_token",
    "invalid_refresh_token",
    "invalid_signature",
    "link_invalid",
    "malformed_json",
    "managed_by_register",
    "manager_not_found",
    "member_not_found",
    "method_not_allowed",
    "no_draft",
    "no_email_conflict",
    "no_match",
    "not_found",
    "not_ready",
    "not_responsable",
    "nothing_to_pay",
    "number_mismatch",
    "outdated_app",
    "overpayment",
    "password_policy",
    "payload_too_large",
    "payment_method_unavailable",
    "payment_not_confirmed",
    "payment_not_found",
    "payment_not_pending",
    "payment_provider_unavailable",
    "person_declared",
    "person_not_found",
    "provider_not_found",
    "quality_mismatch",
    "rate_limited",
    "region_not_found",
    "request_refused",
    "route_not_found",
    "scale_missing",
    "service_unavailable",
    "signature_expired",
    "signexpert_unavailable",
    "stale_timestamp",
    "token_expired",
    "token_invalid",
    "token_missing",
    "token_revoked",
    "transfer_not_found",
    "unknown_device",
    "unsupported_media_type",
    "validation_failed",
    "webhook_replayed",
    "webhooks_disabled",
];

/// How an operation's own description names the refusals of [`crate::auth::extractor`]: they
/// are written out here rather than in each of the routes that need sign-in.
const SIGN_IN_PLACEHOLDER: &str = "`unauthorized`";

/// Applies the above to the whole document.
pub fn document(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    if let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") {
        if let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") {
            code.enum_values = Some(ERROR_CODES.iter().map(|c| json!(c)).collect());
        }
    }
    for (name, response) in components.responses.iter_mut() {
        if let RefOr::T(response) = response {
            let status = shared_status(name);
            add_example(response, status);
        }
    }
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
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

/// The first code a response's description names, among [`ERROR_CODES`].
fn first_code(description: &str) -> Option<&'static str> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .find_map(|word| ERROR_CODES.iter().find(|c| **c == word).copied())
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

fn example(code: &str, status: u16) -> Value {
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
        "code": code,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Codes written as `ApiError::new(<status>, "code", …` or as `(StatusCode::…, "code",` in a
    /// table of refusals, in every source file.
    fn codes_in_sources() -> BTreeSet<String> {
        fn walk(dir: &std::path::Path, found: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).expect("src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("source");
                    let words: Vec<&str> = text.split_whitespace().collect();
                    for pair in words.windows(2) {
                        let status_then_code = pair[0].starts_with("StatusCode::")
                            && pair[0].ends_with(',')
                            && pair[1].starts_with('"')
                            && pair[1].ends_with("\",");
                        if status_then_code {
                            found.insert(pair[1].trim_matches([',', '"']).to_owned());
                        }
                    }
                }
            }
        }
        let mut found = BTreeSet::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found
    }

    #[test]
    fn the_code_enum_holds_every_code_of_the_sources_and_the_document() {
        let listed: BTreeSet<String> = ERROR_CODES.iter().map(|c| (*c).to_owned()).collect();
        let mut sorted = ERROR_CODES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, ERROR_CODES, "keep ERROR_CODES sorted");
        let in_sources = codes_in_sources();
        assert!(
            in_sources.len() > 40,
            "the source scan found {in_sources:?}"
        );
        let missing: Vec<_> = in_sources.difference(&listed).collect();
        assert!(
            missing.is_empty(),
            "codes answered but not in ERROR_CODES: {missing:?}"
        );
        for code in SIGN_IN_REQUIRED_CODES {
            assert!(listed.contains(code), "{code}");
        }
        // Every listed code is documented on some error response, except those answered by any
        // operation (500, 503 of an unreachable database) or by none (404, 405 of the fallback,
        // the front end's pages asked of the API, refused CORS preflights).
        let document = crate::openapi::document_json();
        let unnamed: Vec<_> = ERROR_CODES
            .iter()
            .filter(|c| {
                ![
                    "cors_headers_not_allowed",
                    "cors_method_not_allowed",
                    "cors_origin_not_allowed",
                    "cors_refused",
                    "front_end_page",
                    "internal_error",
                    "method_not_allowed",
                    "request_refused",
                    "route_not_found",
                    "service_unavailable",
                ]
                .contains(c)
            })
            .filter(|c| !document.contains(&format!("`{c}`")))
            .collect();
        assert!(unnamed.is_empty(), "codes no response names: {unnamed:?}");
    }
}
