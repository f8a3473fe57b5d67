use awc::http::Method;
use serde_json::json;

use crate::{
    payments_world::{cents, person_path, world, BRETAGNE, PARIS},
    portal_fixtures::Portal,
};

#[actix_web::test]
async fn declaring_every_person_of_a_bureau_updates_the_dashboard() {
    let w = world().await;
    // Before anything: the fixed part of each bureau is called by the barème's import.
    let b1 = w.row("B-001").await;
    assert_eq!(
        (b1["remaining_pp"].as_i64(), b1["remaining_pm"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(cents(&b1["total"]), 30_000);
    w.assert_ledger_agrees().await;

    // A draft computes the amount but charges nothing, and the person is still to declare.
    let draft = w
        .save("B-001", &w.marie, json!({"category": "independant"}))
        .await;
    assert_eq!(draft.status.as_u16(), 200, "{}", draft.json());
    assert_eq!(draft.json()["status"], "draft");
    assert_eq!(cents(&draft.json()["amount"]), 45_000);
    assert_eq!(draft.json()["created_by"], w.rac.identifier.as_str());
    let b1 = w.row("B-001").await;
    assert_eq!(
        (b1["remaining_pp"].as_i64(), cents(&b1["total"])),
        (Some(2), 30_000)
    );

    let marie = w.submit("B-001", &w.marie).await.json();
    assert_eq!(marie["status"], "submitted");
    assert_eq!(marie["submitted_by"], "rac.pay");
    let b1 = w.row("B-001").await;
    assert_eq!(
        (b1["remaining_pp"].as_i64(), cents(&b1["total"])),
        (Some(1), 75_000)
    );
    w.assert_ledger_agrees().await;

    // 83 ter: 70 % of the salarié amount; the firm: 200 € + 12.50 heads × 12.50 €.
    let luc = w
        .declare("B-001", &w.luc, json!({"category": "agc_83ter"}))
        .await;
    assert_eq!(cents(&luc["amount"]), 26_600);
    let firm = w
        .declare("B-001", &w.firm_b1, json!({"average_headcount": "12,50"}))
        .await;
    assert_eq!(cents(&firm["amount"]), 35_625);
    assert_eq!(firm["average_headcount"], "12.50");
    // Zoé registered this year: the first-year reduction halves the salarié amount.
    let zoe = w
        .declare(
            "B-002",
            &w.zoe,
            json!({"category": "salarie", "new_member_year": 1}),
        )
        .await;
    assert_eq!(cents(&zoe["amount"]), 19_000);
    let firm = w
        .declare("B-002", &w.firm_b2, json!({"average_headcount": "3"}))
        .await;
    assert_eq!(cents(&firm["amount"]), 23_750);

    let dashboard = w.dashboard().await;
    let bureaux = dashboard["items"][0]["bureaux"]
        .as_array()
        .cloned()
        .expect("bureaux");
    assert_eq!(
        cents(&bureaux[0]["total"]),
        30_000 + 45_000 + 26_600 + 35_625
    );
    assert_eq!(cents(&bureaux[1]["total"]), 30_000 + 19_000 + 23_750);
    assert_eq!(cents(&dashboard["items"][0]["grouped_amount"]), 209_975);
    assert_eq!(
        (
            dashboard["totals"]["remaining_pp"].as_i64(),
            dashboard["totals"]["remaining_pm"].as_i64()
        ),
        (Some(0), Some(0))
    );
    let detail = w
        .get(&format!("/v1/portal/regions/{PARIS}/bureaux/B-001"))
        .await
        .json();
    let luc = &detail["natural_persons"][0];
    assert_eq!(luc["name"], "BERNARD Luc");
    assert_eq!(luc["declaration"]["category"], "agc_83ter");
    assert_eq!(cents(&luc["amount_called"]), 26_600);
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn fields_must_fit_the_person_and_the_register() {
    let w = world().await;
    let wrong_kind = w
        .save("B-001", &w.firm_b1, json!({"category": "independant"}))
        .await;
    let body = wrong_kind.assert_problem(422, "validation_failed");
    assert!(body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .any(|e| e["code"] == "not_a_natural_person"));
    w.save("B-001", &w.marie, json!({"average_headcount": "2"}))
        .await
        .assert_problem(422, "validation_failed");
    w.save("B-001", &w.marie, json!({"category": "stagiaire"}))
        .await
        .assert_problem(422, "validation_failed");
    w.save("B-001", &w.firm_b1, json!({"average_headcount": "1.234"}))
        .await
        .assert_problem(422, "validation_failed");
    // Marie registered in 2009: no new-member reduction for her.
    let reduction = w
        .save(
            "B-001",
            &w.marie,
            json!({"category": "independant", "new_member_year": 1}),
        )
        .await;
    let body = reduction.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["code"], "new_member_year_not_applicable");
    w.submit("B-001", &w.marie)
        .await
        .assert_problem(409, "no_draft");
    w.save(
        "B-001",
        "no-such-person",
        json!({"category": "independant"}),
    )
    .await
    .assert_problem(404, "person_not_found");
    let other = w
        .app
        .send(
            w.app.authed(
                Method::PUT,
                &format!("{}/declaration", person_path(PARIS, "B-001", &w.marie)),
                &w.outsider_token,
            ),
            Some(json!({"category": "independant"})),
        )
        .await;
    other.assert_problem(404, "bureau_not_found");
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn a_headcount_whose_amount_cannot_be_called_is_a_422_and_writes_nothing() {
    let w = world().await;
    // A barème at 5,000 € a head: a million heads (the largest headcount accepted) is
    // 5 000 000 000,00 €, past the maximum of one payment (each declaration must fit in one).
    Portal::of(&w.app).load_scales(&crate::payments_world::SCALES.replace(",1250\n", ",500000\n"));
    let body = w
        .save("B-001", &w.firm_b1, json!({"average_headcount": "1000000"}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "average_headcount");
    assert_eq!(body["errors"][0]["code"], "amount_too_large");
    let b1 = w.row("B-001").await;
    assert_eq!(cents(&b1["total"]), 30_000, "nothing called");
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn a_submitted_declaration_is_locked_and_a_correction_keeps_the_audit_trail() {
    let w = world().await;
    w.declare("B-001", &w.marie, json!({"category": "independant"}))
        .await;
    w.save("B-001", &w.marie, json!({"category": "salarie"}))
        .await
        .assert_problem(409, "declaration_locked");
    w.submit("B-001", &w.marie)
        .await
        .assert_problem(409, "declaration_locked");

    let corrections = format!(
        "{}/declaration/corrections",
        person_path(PARIS, "B-001", &w.marie)
    );
    w.send(
        Method::POST,
        &corrections,
        Some(json!({"category": "salarie", "reason": " "})),
    )
    .await
    .assert_problem(422, "validation_failed");
    let corrected = w
        .send(
            Method::POST,
            &corrections,
            Some(json!({"category": "salarie", "reason": "Salariée depuis janvier"})),
        )
        .await;
    assert_eq!(corrected.status.as_u16(), 201, "{}", corrected.json());
    let corrected = corrected.json();
    assert_eq!(
        (corrected["version"].as_i64(), corrected["status"].as_str()),
        (Some(2), Some("submitted"))
    );
    assert_eq!(cents(&corrected["amount"]), 38_000);

    let history = w
        .get(&format!(
            "{}/declarations",
            person_path(PARIS, "B-001", &w.marie)
        ))
        .await
        .json();
    let versions = history["items"].as_array().cloned().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["status"], "superseded");
    assert_eq!(versions[0]["category"], "independant");
    assert!(versions[0]["superseded_at"].is_string());
    assert_eq!(versions[1]["correction_reason"], "Salariée depuis janvier");
    assert_eq!(versions[1]["created_by"], "rac.pay");

    // The ledger keeps both: the first charge, its cancellation, the new charge.
    let mut p = Portal::of(&w.app);
    assert_eq!(p.person_entries(&w.marie, "charge"), vec![45_000, 38_000]);
    assert_eq!(
        p.person_entries(&w.marie, "charge_cancellation"),
        vec![45_000]
    );
    assert_eq!(cents(&w.row("B-001").await["total"]), 30_000 + 38_000);

    // A draft is corrected by saving it again, not through a correction.
    w.save("B-001", &w.luc, json!({"category": "salarie"}))
        .await;
    let luc_corrections = format!(
        "{}/declaration/corrections",
        person_path(PARIS, "B-001", &w.luc)
    );
    w.send(
        Method::POST,
        &luc_corrections,
        Some(json!({"category": "independant", "reason": "x"})),
    )
    .await
    .assert_problem(409, "declaration_not_submitted");
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn a_closed_campaign_refuses_declarations_attachments_and_payments() {
    let w = world().await;
    let person = person_path(BRETAGNE, "B-004", &w.marie_bretagne);
    w.send(
        Method::PUT,
        &format!("{person}/declaration"),
        Some(json!({"category": "independant"})),
    )
    .await
    .assert_problem(409, "campaign_closed");
    w.send(
        Method::POST,
        &format!("/v1/portal/regions/{BRETAGNE}/bureaux/B-004/persons"),
        Some(json!({"supra_number": "44444444"})),
    )
    .await
    .assert_problem(409, "campaign_closed");
    w.send(Method::DELETE, &person, None)
        .await
        .assert_problem(409, "campaign_closed");
    w.pay(
        &format!("/v1/portal/regions/{BRETAGNE}/bureaux/B-004/payments"),
        Some("closed-1"),
        json!({"method": "transfer", "amount_cents": 100}),
    )
    .await
    .assert_problem(409, "campaign_closed");
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn persons_are_attached_by_supra_number_or_firm_reference_and_detached_until_declared() {
    let w = world().await;
    let persons = format!("/v1/portal/regions/{PARIS}/bureaux/B-002/persons");
    let paul = w
        .send(
            Method::POST,
            &persons,
            Some(json!({"supra_number": "44444444"})),
        )
        .await;
    assert_eq!(paul.status.as_u16(), 201, "{}", paul.json());
    let paul = paul.json();
    assert_eq!(
        (paul["name"].as_str(), paul["declaration_state"].as_str()),
        (Some("LEFÈVRE Paul"), Some("to_declare"))
    );
    assert_eq!(w.row("B-002").await["remaining_pp"], 2);
    w.send(
        Method::POST,
        &persons,
        Some(json!({"supra_number": "44444444"})),
    )
    .await
    .assert_problem(409, "already_attached");
    w.send(
        Method::POST,
        &persons,
        Some(json!({"supra_number": "99999999"})),
    )
    .await
    .assert_problem(404, "member_not_found");
    w.send(Method::POST, &persons, Some(json!({"firm_ref": "F-404"})))
        .await
        .assert_problem(404, "firm_not_found");
    w.send(
        Method::POST,
        &persons,
        Some(json!({"supra_number": "44444444", "firm_ref": "F-001"})),
    )
    .await
    .assert_problem(422, "validation_failed");
    let other_firm = w
        .send(Method::POST, &persons, Some(json!({"firm_ref": "F-009"})))
        .await;
    assert_eq!(other_firm.status.as_u16(), 201);
    assert_eq!(other_firm.json()["person_kind"], "PM");

    // Paul, with a draft only, can be detached; Zoé, declared, cannot.
    let paul_id = paul["id"].as_str().expect("id");
    w.save("B-002", paul_id, json!({"category": "independant"}))
        .await;
    let detached = w
        .send(Method::DELETE, &person_path(PARIS, "B-002", paul_id), None)
        .await;
    assert_eq!(detached.status.as_u16(), 204);
    detached.assert_empty();
    assert_eq!(w.row("B-002").await["remaining_pp"], 1);
    w.declare(
        "B-002",
        &w.zoe,
        json!({"category": "salarie", "new_member_year": 1}),
    )
    .await;
    w.send(Method::DELETE, &person_path(PARIS, "B-002", &w.zoe), None)
        .await
        .assert_problem(409, "person_declared");
    w.assert_ledger_agrees().await;
}
