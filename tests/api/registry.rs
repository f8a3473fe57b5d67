use serde_json::Value;

use crate::{
    fixtures::MemberSpec,
    helpers::{spawn_app, TestApp},
};

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
    // The wait in words, as a person says it: never "dans 3141 secondes".
    let wait = comptexpert::i18n::wait_of(retry_after);
    assert_eq!(
        limited.json()["detail"],
        format!("Trop de tentatives. Réessayez {}.", wait.fr)
    );
    if retry_after >= 60 {
        assert!(!wait.fr.contains("seconde"), "{}", wait.fr);
    }
}

/// The proposals of one page: (first name, last name) and the whole body.
async fn search_page(app: &TestApp, q: &str, limit: u32, cursor: Option<&str>) -> Value {
    let mut query = vec![("q", q.to_owned()), ("limit", limit.to_string())];
    if let Some(cursor) = cursor {
        query.push(("cursor", cursor.to_owned()));
    }
    let request = app
        .request(awc::http::Method::GET, "/v1/registry/members")
        .query(&query)
        .expect("query");
    let response = app.send(request, None).await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.json());
    response.json()
}

fn full_names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| format!("{} {}", i["last_name"], i["first_name"]).replace('"', ""))
        .collect()
}

#[actix_web::test]
async fn name_search_finds_a_member_by_every_word_of_a_compound_last_name() {
    let app = spawn_app().await;
    for (supra, last, first) in [
        ("30000001", "D'Artagnan-Lefèvre", "Hélène"),
        ("30000002", "Lefèvre", "Anne"),
        ("30000003", "Le Bihan", "Jean-Baptiste"),
        ("30000004", "Durand", "Lefèvre"),
    ] {
        app.add_member(MemberSpec {
            supra_number: supra,
            last_name: last,
            first_name: first,
            ..MemberSpec::default()
        });
    }

    // Last names that start with the query first, then the later words of compound names.
    let lefevre = search_page(&app, "lefevre", 10, None).await;
    assert_eq!(
        full_names(&lefevre),
        ["Lefèvre Anne", "D'Artagnan-Lefèvre Hélène"]
    );
    assert_eq!(lefevre["has_more"], false);
    assert_eq!(lefevre["next_cursor"], Value::Null);
    for (query, expected) in [
        ("artagnan", "D'Artagnan-Lefèvre Hélène"),
        ("Lefèvre Hél", "D'Artagnan-Lefèvre Hélène"),
        ("bihan jean", "Le Bihan Jean-Baptiste"),
    ] {
        let page = search_page(&app, query, 10, None).await;
        assert_eq!(full_names(&page), [expected], "{query}");
    }
    // A first name is not a later word of the last name.
    assert!(full_names(&search_page(&app, "baptiste", 10, None).await).is_empty());
}

#[actix_web::test]
async fn name_search_pages_through_namesakes_to_the_compound_name() {
    let app = spawn_app().await;
    let firsts = [
        "Alain", "Bruno", "Cécile", "Denis", "Émile", "Fanny", "Gilles", "Hugo", "Inès", "Jules",
        "Karim", "Léa", "Louis", "Manon", "Nina", "Paul", "Rémi", "Sarah", "Théo", "Zoé",
    ];
    for (i, first) in firsts.iter().enumerate() {
        app.add_member(MemberSpec {
            supra_number: &format!("4000{i:04}"),
            last_name: "D'Artagnan",
            first_name: first,
            ..MemberSpec::default()
        });
    }
    let helene = app.add_member(MemberSpec {
        supra_number: "40009999",
        last_name: "D'Artagnan-Lefèvre",
        first_name: "Hélène",
        ..MemberSpec::default()
    });

    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = search_page(&app, "dartagnan", 8, cursor.as_deref()).await;
        pages += 1;
        let items = page["items"].as_array().expect("items").clone();
        assert!(items.len() <= 8);
        for item in &items {
            let member_ref = item["member_ref"].as_str().expect("member_ref").to_owned();
            assert!(!seen.contains(&member_ref), "pages overlap on {item}");
            seen.push(member_ref);
        }
        match page["has_more"].as_bool().expect("has_more") {
            true => {
                assert_eq!(items.len(), 8, "a page before the last is full");
                cursor = Some(
                    page["next_cursor"]
                        .as_str()
                        .expect("next_cursor")
                        .to_owned(),
                );
            }
            false => {
                assert_eq!(page["next_cursor"], Value::Null);
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), firsts.len() + 1);
    assert!(seen.contains(&helene), "Hélène is among the proposals");

    // A cursor only continues the query it came from.
    let first_page = search_page(&app, "dartagnan", 8, None).await;
    let next = first_page["next_cursor"].as_str().expect("next_cursor");
    for (q, cursor) in [("durand", next), ("dartagnan", "not-a-cursor")] {
        let request = app
            .request(awc::http::Method::GET, "/v1/registry/members")
            .query(&[("q", q), ("cursor", cursor)])
            .expect("query");
        let body = app
            .send(request, None)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "cursor");
    }
}

#[actix_web::test]
async fn the_demo_walk_through_finds_helene_by_name() {
    let app = spawn_app().await;
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let spec = comptexpert::register::demo::DemoSpec {
        members: 3_000,
        campaign_year: 2026,
    };
    comptexpert::register::demo::seed(&mut pool.get().expect("connection"), &spec)
        .expect("the demo data is written");

    // As the README says: `q=dartagnan` proposes her on its first page (no generated member is a
    // D'Artagnan).
    let dartagnan = search_page(&app, "dartagnan", 20, None).await;
    assert!(
        full_names(&dartagnan).contains(&"D'Artagnan-Lefèvre Hélène".to_owned()),
        "{dartagnan}"
    );
    // And the later word of her compound name finds her at once.
    let lefevre_helene = search_page(&app, "lefevre helene", 20, None).await;
    assert!(full_names(&lefevre_helene).contains(&"D'Artagnan-Lefèvre Hélène".to_owned()));
}
