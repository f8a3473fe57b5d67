//! Malformed requests always get a problem+json, never actix's plain-text defaults.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let response = app
        .post_raw(
            "/v1/registry/matches",
            "application/json",
            "{\"supra_number\": ",
        )
        .await;
    response.assert_problem(400, "malformed_json");
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let app = spawn_app().await;
    let response = app
        .post_raw("/v1/registry/matches", "text/plain", "supra=1")
        .await;
    response.assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn an_oversized_body_is_a_413_problem() {
    let app = spawn_app().await;
    let body = format!(
        "{{\"supra_number\": \"{}\", \"birth_date\": \"1978-04-12\"}}",
        "1".repeat(100 * 1024)
    );
    let response = app
        .post_raw("/v1/registry/matches", "application/json", body)
        .await;
    response.assert_problem(413, "payload_too_large");
}

#[actix_web::test]
async fn a_body_missing_a_field_is_a_422_problem_in_english_on_request() {
    let app = spawn_app().await;
    let request = app
        .request(awc::http::Method::POST, "/v1/registry/matches")
        .insert_header(("Accept-Language", "en"));
    let response = app
        .send(
            request,
            Some(serde_json::json!({"supra_number": "12345678"})),
        )
        .await;
    let body = response.assert_problem(422, "invalid_body");
    assert_eq!(body["title"], "Invalid request body");
    assert!(body["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("birth_date"));
}

/// No parser English inside a French answer: serde's wording, backquotes, "at line".
#[track_caller]
fn assert_plain_french(text: &str) {
    for english in ["missing field", "invalid type", "expected", "at line", "`"] {
        assert!(!text.contains(english), "parser English in {text:?}");
    }
}

#[actix_web::test]
async fn a_missing_body_field_is_named_with_a_json_pointer_in_plain_french() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/v1/registry/matches",
            serde_json::json!({"supra_number": "12345678"}),
        )
        .await;
    let body = response.assert_problem(422, "invalid_body");
    assert_eq!(body["detail"], "Le champ « birth_date » est obligatoire.");
    assert_eq!(body["errors"][0]["field"], "birth_date");
    assert_eq!(body["errors"][0]["pointer"], "/birth_date");
    assert_eq!(body["errors"][0]["code"], "required");
    assert_plain_french(body["errors"][0]["message"].as_str().unwrap_or_default());
}

#[actix_web::test]
async fn a_body_value_of_the_wrong_type_or_format_is_explained_in_plain_french() {
    let app = spawn_app().await;
    for body in [
        serde_json::json!({"supra_number": 12345678, "birth_date": "1978-04-12"}),
        serde_json::json!({"supra_number": "12345678", "birth_date": "12/04/1978"}),
    ] {
        let problem = app
            .post_json("/v1/registry/matches", body)
            .await
            .assert_problem(422, "invalid_body");
        assert_plain_french(problem["detail"].as_str().unwrap_or_default());
    }
    let wrong_type = app
        .post_json(
            "/v1/registry/matches",
            serde_json::json!({"supra_number": 12345678, "birth_date": "1978-04-12"}),
        )
        .await
        .json();
    assert!(
        wrong_type["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("une chaîne de caractères"),
        "{wrong_type}"
    );
}

#[actix_web::test]
async fn a_bad_query_parameter_is_named_without_parser_english() {
    let app = spawn_app().await;
    let missing = app
        .get("/v1/registry/members")
        .await
        .assert_problem(400, "invalid_parameter");
    assert_eq!(missing["detail"], "Le paramètre « q » est obligatoire.");
    assert_eq!(missing["errors"][0]["parameter"], "q");
    assert!(missing["errors"][0].get("pointer").is_none());

    let not_a_number = app
        .get("/v1/registry/members?q=durand&limit=abc")
        .await
        .assert_problem(400, "invalid_parameter");
    assert_plain_french(not_a_number["detail"].as_str().unwrap_or_default());
    assert!(!not_a_number["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("invalid digit"));

    let out_of_range = app
        .get("/v1/registry/members?q=durand&limit=500")
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(out_of_range["errors"][0]["parameter"], "limit");
}
