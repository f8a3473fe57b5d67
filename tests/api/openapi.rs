use std::path::Path;

use serde_json::Value;

use crate::helpers::spawn_app;

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = comptexpert::openapi::document_json();
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json"))
            .unwrap_or_default();
    assert!(
        generated == committed,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json` and commit it"
    );
}

#[actix_web::test]
async fn the_served_document_is_the_generated_one_and_swagger_ui_serves() {
    let app = spawn_app().await;
    let served = app.get("/api-docs/openapi.json").await;
    assert_eq!(served.status.as_u16(), 200);
    let expected: Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    assert_eq!(served.json(), expected);

    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status.as_u16(), 200);
    assert!(String::from_utf8_lossy(&ui.body).contains("swagger"));
    let redirect = app.get("/swagger-ui").await;
    assert!(redirect.status.is_redirection());
}

#[actix_web::test]
async fn every_documented_operation_is_routed() {
    let app = spawn_app().await;
    let document: Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    let paths = document["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (template, item) in paths {
        // Fill path parameters with a value no resource has: the route must still be found.
        let path: String = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "unknown-value"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().expect("path item").keys() {
            let Ok(method) = method.to_uppercase().parse::<awc::http::Method>() else {
                continue;
            };
            let response = app.send(app.request(method.clone(), &path), None).await;
            // A redirect (the logout's, with nothing to end) has no body, and CAS answers XML.
            let json = response
                .header("content-type")
                .is_some_and(|c| c.contains("json"));
            let code = if response.body.is_empty() || !json {
                String::new()
            } else {
                response.json()["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            assert!(
                code != "route_not_found" && code != "method_not_allowed",
                "{method} {template} is documented but not routed ({code})"
            );
        }
    }
}

/// Every HTTP handler in `src/routes` must carry `#[utoipa::path]`, and routes are only ever
/// registered through `utoipa_actix_web` (whose `service` refuses undocumented handlers).
#[test]
fn every_registered_route_is_documented() {
    fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir)
            .expect("readable source folder")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let route_macros = [
        "#[get(",
        "#[post(",
        "#[put(",
        "#[patch(",
        "#[delete(",
        "#[route(",
    ];
    let manual_registration = [
        "web::resource(",
        ".route(",
        "web::scope(",
        "web::get()",
        "web::post()",
    ];
    let mut undocumented = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("readable source");
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            if route_macros.iter().any(|m| trimmed.starts_with(m)) {
                // The utoipa attribute sits in the attribute block just above the route macro.
                let documented = lines[..i]
                    .iter()
                    .rev()
                    .take_while(|l| {
                        !l.trim().is_empty() && !l.trim_start().starts_with("pub async fn")
                    })
                    .any(|l| l.contains("#[utoipa::path"));
                if !documented {
                    undocumented.push(format!("{}:{}", file.display(), i + 1));
                }
            }
            // The metrics listener (METRICS_ADDR) is not the API: its lines say so.
            if manual_registration.iter().any(|m| trimmed.contains(m))
                && !trimmed.starts_with("//")
                && !trimmed.contains("// not the API")
            {
                undocumented.push(format!(
                    "{}:{} (manual route registration)",
                    file.display(),
                    i + 1
                ));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "routes without OpenAPI documentation: {undocumented:#?}"
    );
}

/// The extractors refuse some requests before any handler runs (see `request_errors.rs`): every
/// operation that can get such a refusal documents it, or clients meet statuses the contract
/// never mentioned (Schemathesis found these before they were documented).
#[test]
fn refusals_before_the_handler_are_documented() {
    let document: Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    let mut missing = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let responses = &operation["responses"];
            let has_query = operation["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
            let mut expected = Vec::new();
            if has_query {
                expected.push("400");
            }
            if operation.get("requestBody").is_some() {
                expected.extend(["400", "413", "415", "422"]);
            }
            for status in expected {
                if responses.get(status).is_none() {
                    missing.push(format!("{method} {path}: {status}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented refusals: {missing:#?}");
    let shared = &document["components"]["responses"];
    for name in [
        "BadRequest",
        "PayloadTooLarge",
        "UnsupportedMediaType",
        "InvalidBody",
    ] {
        assert_eq!(
            shared[name]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem",
            "{name} is a problem+json"
        );
    }
}

#[test]
fn operation_ids_are_unique_so_generated_clients_get_distinct_methods() {
    let document: Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    let mut seen = std::collections::HashMap::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
                    panic!("operationId {id} is used by {other} and {method} {path}");
                }
            }
        }
    }
}

/// Every operation that reaches the database documents the 503 it answers while the database
/// cannot be reached; the two that never reach it do not.
#[test]
fn every_operation_that_reaches_the_database_documents_its_503() {
    let document: Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    let paths = document["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("operations") {
            let Some(responses) = operation.get("responses") else {
                continue;
            };
            let documented = responses.get("503").is_some();
            let reaches_database = !["/health", "/.well-known/jwks.json"].contains(&path.as_str());
            assert_eq!(documented, reaches_database, "{method} {path}");
            if let Some(own) = responses["503"]["description"].as_str() {
                assert!(
                    own.contains("service_unavailable"),
                    "{method} {path}: {own}"
                );
            }
        }
    }
}

/// A body that refuses unknown fields says so in its schema (`additionalProperties: false`), and
/// one whose schema says nothing accepts them: the document describes what the server does.
#[actix_web::test]
async fn bodies_that_refuse_unknown_fields_declare_it() {
    let document: Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    let schemas = &document["components"]["schemas"];
    for strict in [
        "AttachRequest",
        "CorrectionRequest",
        "DeclarationRequest",
        "PaymentRequest",
        "UpdateProfileRequest",
    ] {
        assert_eq!(
            schemas[strict]["additionalProperties"],
            Value::Bool(false),
            "{strict}"
        );
    }
    assert!(schemas["RecoveryRequest"]
        .get("additionalProperties")
        .is_none());

    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    let refused = app
        .send(
            app.authed(awc::http::Method::PATCH, "/v1/me", &access),
            Some(serde_json::json!({"phone": "01 23 45 67 89", "nickname": "Jeanne"})),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.json());
    let accepted = app
        .post_json(
            "/v1/recovery",
            serde_json::json!({"email": "jeanne@cabinet.fr", "origin": "web"}),
        )
        .await;
    assert_eq!(accepted.status.as_u16(), 202);
}

#[test]
fn the_security_history_documents_every_kind_it_can_hold() {
    let document: serde_json::Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    let documented: Vec<&str> = document["components"]["schemas"]["SecurityEventView"]
        ["properties"]["kind"]["enum"]
        .as_array()
        .expect("an enum")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let stored: Vec<&str> = comptexpert::domain::states::SecurityEventKind::ALL
        .iter()
        .map(|kind| kind.as_str())
        .collect();
    assert_eq!(documented, stored);
}
