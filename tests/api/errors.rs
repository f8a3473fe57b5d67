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

#[actix_web::test]
async fn a_postgresql_test_schema_is_dropped_with_its_app() {
    let Ok(base) = std::env::var(crate::helpers::TEST_DATABASE_URL) else {
        return; // SQLite: the database file goes with the test's temporary folder.
    };
    if base.is_empty() {
        return;
    }
    let app = spawn_app().await;
    let schema = app
        .database_url
        .split_once("search_path%3D")
        .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_owned())
        .expect("a schema of its own");
    assert_eq!(app.get("/health").await.status.as_u16(), 200);
    let schemas_named = |conn: &mut diesel::PgConnection| -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(format!(
            "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = '{schema}'"
        ))
        .get_result::<Count>(conn)
        .expect("count")
        .n
    };
    use diesel::Connection;
    let mut conn = diesel::PgConnection::establish(&base).expect("PostgreSQL");
    assert_eq!(schemas_named(&mut conn), 1);
    drop(app);
    assert_eq!(schemas_named(&mut conn), 0, "schema {schema} left behind");
}

#[actix_web::test]
async fn the_document_lists_error_codes_and_enumerated_fields_with_an_example_per_error() {
    let app = spawn_app().await;
    let doc = app.get("/api-docs/openapi.json").await.json();
    let schemas = &doc["components"]["schemas"];
    let codes = schemas["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .expect("the code is an enum");
    for code in [
        "token_expired",
        "invalid_credentials",
        "validation_failed",
        "no_match",
    ] {
        assert!(codes.contains(&serde_json::json!(code)), "{code}");
    }
    for (schema, field, values) in [
        ("AccountView", "civility", serde_json::json!(["M", "MME"])),
        (
            "AttachedPersonView",
            "declaration_state",
            serde_json::json!(["to_declare", "draft", "submitted"]),
        ),
        (
            "PaymentView",
            "status",
            serde_json::json!(["pending", "confirmed", "failed"]),
        ),
        (
            "PasswordTokenInfo",
            "purpose",
            serde_json::json!(["activation", "reset"]),
        ),
        (
            "SessionView",
            "method",
            serde_json::json!(["pwd", "qr", "x509"]),
        ),
    ] {
        assert_eq!(
            schemas[schema]["properties"][field]["enum"], values,
            "{schema}.{field}"
        );
    }
    // Each error response shows its own case, not one shared 422.
    let example = |path: &str, method: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/problem+json"]
            ["example"]
            .clone()
    };
    let unauthorized = example("/v1/me", "get", "401");
    assert_eq!(unauthorized["code"], "token_missing");
    assert_eq!(unauthorized["status"], 401);
    assert_eq!(
        example("/v1/registry/matches", "post", "404")["code"],
        "no_match"
    );
    assert_eq!(
        example("/v1/sessions", "post", "429")["code"],
        "rate_limited"
    );
}

#[actix_web::test]
async fn the_documented_problem_codes_are_the_problem_codes_and_no_field_rule() {
    let app = spawn_app().await;
    let document = app.get("/api-docs/openapi.json").await.json();
    let codes: Vec<&str> = document["components"]["schemas"]["Problem"]["properties"]["code"]
        ["enum"]
        .as_array()
        .expect("the code enum")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(codes.contains(&"payment_not_pending") && codes.contains(&"cors_refused"));
    // A member's name refused by `PATCH /v1/me` is a field's rule (`errors[].code`), never the
    // code of a problem.
    assert!(!codes.contains(&"managed_by_register"), "{codes:?}");
}
