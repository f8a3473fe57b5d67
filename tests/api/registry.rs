use crate::{fixtures::MemberSpec, helpers::spawn_app};

#[actix_web::test]
async fn name_search_ignores_accents_case_and_punctuation() {
    let app = spawn_app().await;
    let helene = app.add_member(MemberSpec {
        supra_number: "10000001",
        last_name: "D'Artagnan-Lefèvre",
        first_name: "Hélène",
        ..MemberSpec::default()
    });
    app.add_member(MemberSpec {
        supra_number: "10000002",
        last_name: "Dupont",
        first_name: "Luc",
        ..MemberSpec::default()
    });

    for query in [
        "dartagnan",
        "D'ARTAGNAN LEFEVRE",
        "d artagnan-lefèvre hél",
        "Dartagnanlefevreh",
    ] {
        let response = app.search_members(query).await;
        assert_eq!(response.status.as_u16(), 200, "{query}");
        let items = response.json()["items"].as_array().cloned().expect("items");
        assert_eq!(items.len(), 1, "{query} should find exactly Hélène");
        assert_eq!(items[0]["member_ref"], helene.as_str());
        assert_eq!(items[0]["first_name"], "Hélène");
    }
}

#[actix_web::test]
async fn name_search_returns_only_what_is_needed_to_recognise_oneself() {
    let app = spawn_app().await;
    app.add_member(MemberSpec::default());
    let response = app.search_members("durand").await;
    let item = response.json()["items"][0].clone();
    let mut fields: Vec<_> = item.as_object().expect("object").keys().cloned().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["first_name", "last_name", "member_ref", "registration_year"]
    );
    assert_ne!(
        item["member_ref"], "12345678",
        "member_ref must not be the SUPRA number"
    );
}

#[actix_web::test]
async fn name_search_needs_two_letters_and_caps_the_limit() {
    let app = spawn_app().await;
    app.search_members("d")
        .await
        .assert_problem(422, "validation_failed");
    app.search_members("'-")
        .await
        .assert_problem(422, "validation_failed");
    let response = app.get("/v1/registry/members?q=durand&limit=500").await;
    let body = response.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "limit");
    app.get("/v1/registry/members?q=durand&limit=abc")
        .await
        .assert_problem(400, "invalid_parameter");
}

#[actix_web::test]
async fn name_search_lists_namesakes_in_order_up_to_the_limit() {
    let app = spawn_app().await;
    for (i, first) in ["Zoé", "Anne", "Marc"].iter().enumerate() {
        app.add_member(MemberSpec {
            supra_number: &format!("2000000{i}"),
            first_name: first,
            ..MemberSpec::default()
        });
    }
    let response = app.get("/v1/registry/members?q=durand&limit=2").await;
    let items = response.json()["items"].as_array().cloned().expect("items");
    let names: Vec<_> = items
        .iter()
        .map(|i| i["first_name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["Anne", "Marc"]);
}

#[actix_web::test]
async fn supra_number_and_birth_date_find_the_member() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let response = app.match_member("1234 5678", "1978-04-12").await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.json()["member_ref"], member_ref.as_str());
    assert!(response.json().get("birth_date").is_none());
}

#[actix_web::test]
async fn a_wrong_birth_date_is_no_match() {
    let app = spawn_app().await;
    app.add_member(MemberSpec::default());
    let body = app
        .match_member("12345678", "1978-04-13")
        .await
        .assert_problem(404, "no_match");
    assert_eq!(body["title"], "Aucune correspondance");
    app.match_member("99999999", "1978-04-12")
        .await
        .assert_problem(404, "no_match");
}

#[actix_web::test]
async fn a_malformed_supra_number_or_date_is_refused() {
    let app = spawn_app().await;
    let body = app
        .match_member("12ab", "1978-04-12")
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "supra_number");
    app.match_member("12345678", "12/04/1978")
        .await
        .assert_problem(422, "invalid_body");
}

#[actix_web::test]
async fn matching_is_strictly_rate_limited() {
    let app = spawn_app().await;
    app.add_member(MemberSpec::default());
    for attempt in 0..10 {
        let response = app
            .match_member("12345678", &format!("1970-01-{:02}", attempt + 1))
            .await;
        response.assert_problem(404, "no_match");
    }
    let limited = app.match_member("12345678", "1978-04-12").await;
    limited.assert_problem(429, "rate_limited");
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=3600).contains(&retry_after));
}
