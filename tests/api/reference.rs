use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn qualities_list_the_guide_profiles_with_their_registration_path() {
    let app = spawn_app().await;
    let response = app.qualities().await;
    assert_eq!(response.status.as_u16(), 200);
    let items = response.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 11);
    assert_eq!(items[0]["label"], "Expert-comptable indépendant");
    let other = items
        .iter()
        .find(|q| q["code"] == "autre_profil")
        .expect("Autre profil");
    assert_eq!(other["label"], "Autre profil");
    assert_eq!(other["registration_path"], "external_form");
    assert!(items
        .iter()
        .filter(|q| q["code"] != "autre_profil")
        .all(|q| q["registration_path"] == "registry"));
}

#[actix_web::test]
async fn regions_list_the_24_councils_of_the_guide_in_order() {
    let app = spawn_app().await;
    let response = app.regions().await;
    assert_eq!(response.status.as_u16(), 200);
    let items = response.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 24);
    assert_eq!(items[0]["code"], "alsace");
    assert_eq!(items[23]["name"], "Toulouse-Midi-Pyrénées");
    assert!(items
        .iter()
        .any(|r| r["code"] == "paris-ile-de-france" && r["name"] == "Paris Île-de-France"));
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for response in [app.regions().await, app.get("/v1/does-not-exist").await] {
        assert_eq!(
            response.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(
            response.header("referrer-policy").as_deref(),
            Some("no-referrer")
        );
        assert!(response.header("x-request-id").is_some());
        assert_eq!(response.header("x-frame-options").as_deref(), Some("DENY"));
        let policy = response
            .header("content-security-policy")
            .unwrap_or_default();
        assert!(
            policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"),
            "{policy}"
        );
        assert!(
            response.header("strict-transport-security").is_none(),
            "no HSTS without an https PUBLIC_URL"
        );
    }
    // Swagger UI runs its own scripts, from this origin only.
    let page = app.get("/swagger-ui/").await;
    assert_eq!(page.status.as_u16(), 200);
    let policy = page.header("content-security-policy").unwrap_or_default();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"));
    assert!(!policy.contains("unsafe-eval"), "{policy}");
}

#[actix_web::test]
async fn behind_https_browsers_are_told_to_keep_to_it() {
    let app = spawn_app_with(|settings| {
        settings.public_url = Some("https://api.comptexpert.test".into());
    })
    .await;
    for response in [app.regions().await, app.get("/v1/does-not-exist").await] {
        assert_eq!(
            response.header("strict-transport-security").as_deref(),
            Some("max-age=31536000")
        );
    }
}
