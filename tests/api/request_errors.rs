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
