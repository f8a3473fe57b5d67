use crate::helpers::spawn_app;

#[actix_web::test]
async fn an_unknown_route_is_a_french_problem_by_default() {
    let app = spawn_app().await;
    let response = app.get("/v1/nothing-here").await;
    let body = response.assert_problem(404, "route_not_found");
    assert_eq!(body["title"], "Route inconnue");
    assert_eq!(response.header("content-language").as_deref(), Some("fr"));
}

#[actix_web::test]
async fn an_unknown_route_is_an_english_problem_when_english_is_preferred() {
    let app = spawn_app().await;
    let response = app
        .get_in("/v1/nothing-here", "en-GB,en;q=0.9,fr;q=0.5")
        .await;
    let body = response.assert_problem(404, "route_not_found");
    assert_eq!(body["title"], "Unknown route");
    assert_eq!(response.header("content-language").as_deref(), Some("en"));
}

#[actix_web::test]
async fn a_wrong_method_is_a_405_problem_listing_the_allowed_methods() {
    let app = spawn_app().await;
    let response = app
        .send(app.request(awc::http::Method::DELETE, "/v1/regions"), None)
        .await;
    response.assert_problem(405, "method_not_allowed");
    assert_eq!(response.header("allow").as_deref(), Some("GET"));
}

#[actix_web::test]
async fn a_refused_cors_preflight_is_a_problem_and_an_allowed_one_is_answered() {
    let app = spawn_app().await;
    let preflight = |origin: &'static str| {
        app.request(awc::http::Method::OPTIONS, "/v1/regions")
            .insert_header(("Origin", origin))
            .insert_header(("Access-Control-Request-Method", "GET"))
            .insert_header(("Access-Control-Request-Headers", "authorization"))
    };
    let refused = app.send(preflight("http://localhost:5173"), None).await;
    let problem = refused.assert_problem(400, "cors_origin_not_allowed");
    // The detail names the origin and the setting that would allow it.
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("http://localhost:5173"), "{detail}");
    assert!(detail.contains("CORS_ALLOWED_ORIGINS"), "{detail}");

    let allowed = app
        .send(preflight("https://app.comptexpert.test"), None)
        .await;
    assert_eq!(allowed.status.as_u16(), 200);
    assert_eq!(
        allowed.header("access-control-allow-origin").as_deref(),
        Some("https://app.comptexpert.test")
    );
}
