use awc::http::Method;
use serde_json::json;

use crate::{
    fixtures::{MemberSpec, TestAccount},
    helpers::TestApp,
    mailbox::wait_for_email,
    portal_fixtures::{cents, luc, Person, Portal, WorldBuilder, BRETAGNE, PARIS},
};

/// Two firms in Paris (one with two bureaux), one in Bretagne granted to the RAC; a third Paris
/// firm nobody granted; a member responsable of the first firm with a personal file in Paris.
struct World {
    app: TestApp,
    rac: TestAccount,
    member: TestAccount,
    member_id: String,
    other_firm_bureau: String,
}

async fn world() -> World {
    let mut w = WorldBuilder::new().await;
    let member_id = w.member(MemberSpec::default());
    let pp2 = w.member(luc());
    let rac = w.account("rac.test", "rac@cabinet.fr");
    let member = w.app.add_active_account_of(
        Some(&member_id),
        "mdurand",
        "Cabinet-2026!",
        "marie.durand@cabinet-durand.fr",
    );
    let (paris, bretagne) = ((PARIS, 2026), (BRETAGNE, 2026));
    w.campaign(PARIS, 2026, true);
    w.campaign(PARIS, 2025, false);
    w.campaign(BRETAGNE, 2026, false);

    w.firm("F-001", "Cabinet Durand");
    w.bureau("B-001", "F-001", PARIS, true);
    w.bureau("B-002", "F-001", PARIS, false);
    w.firm("F-002", "Martin Audit");
    w.bureau("B-003", "F-002", PARIS, true);
    w.bureau("B-004", "F-002", BRETAGNE, false);
    w.firm("F-003", "Autre Cabinet");
    w.bureau("B-005", "F-003", PARIS, true);
    w.grant(&["B-001", "B-002", "B-003", "B-004"], &rac);
    let durand = w.firm_id("F-001");
    w.portal().responsable(&durand, &member_id);
    w.portal()
        .personal_file(&member_id, PARIS, "marie.durand@cabinet-durand.fr");

    // B-001: Marie declared and paid, Luc still to declare, the firm as PM declared, fixed part.
    let a1 = w.attach(paris, "B-001", Person::Member(&member_id), "submitted");
    w.ledger(paris, "B-001", Some(&a1), "charge", 45_000);
    w.ledger(paris, "B-001", Some(&a1), "payment", 45_000);
    w.attach(paris, "B-001", Person::Member(&pp2), "to_declare");
    let a3 = w.attach(paris, "B-001", Person::Firm("F-001"), "submitted");
    w.ledger(paris, "B-001", Some(&a3), "charge", 120_050);
    w.ledger(paris, "B-001", None, "charge", 30_000);
    w.ledger(paris, "B-001", None, "payment", 50_000);
    // B-002: a draft PM and an overpayment refunded in part.
    w.attach(paris, "B-002", Person::Firm("F-001"), "draft");
    w.ledger(paris, "B-002", None, "charge", 30_000);
    w.ledger(paris, "B-002", None, "payment", 40_000);
    w.ledger(paris, "B-002", None, "refund", 4_000);
    // B-003: nothing paid.
    w.ledger(paris, "B-003", None, "charge", 30_000);
    // B-004 (Bretagne, closed campaign) and B-005 (not granted): amounts that must never show.
    w.ledger(bretagne, "B-004", None, "charge", 99_900);
    w.ledger(paris, "B-005", None, "charge", 77_700);
    World {
        app: w.build(),
        rac,
        member,
        member_id,
        other_firm_bureau: "B-005".into(),
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> crate::helpers::TestResponse {
    app.send(app.authed(Method::GET, path, token), None).await
}

#[actix_web::test]
async fn region_choice_counts_the_bureaux_one_may_manage_and_personal_files() {
    let w = world().await;
    let (rac, _) = w.app.signed_in(&w.rac).await;
    let body = get(&w.app, &rac, "/v1/portal/regions").await.json();
    let items = body["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 24);
    let paris = items.iter().find(|r| r["code"] == PARIS).expect("paris");
    assert_eq!(
        (
            paris["bureaux_count"].as_i64(),
            paris["campaign_year"].as_i64(),
            paris["campaign_open"].as_bool()
        ),
        (Some(3), Some(2026), Some(true))
    );
    let bretagne = items
        .iter()
        .find(|r| r["code"] == BRETAGNE)
        .expect("bretagne");
    assert_eq!(
        (
            bretagne["bureaux_count"].as_i64(),
            bretagne["campaign_open"].as_bool()
        ),
        (Some(1), Some(false))
    );
    assert_eq!(body["totals"]["bureaux_count"], 4);
    assert_eq!(paris["has_personal_file"], false);

    let (member, _) = w.app.signed_in(&w.member).await;
    let body = get(&w.app, &member, "/v1/portal/regions").await.json();
    let paris = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["code"] == PARIS)
        .cloned()
        .expect("paris");
    assert_eq!(
        paris["bureaux_count"], 2,
        "the responsable sees the firm's bureaux"
    );
    assert_eq!(paris["has_personal_file"], true);
    assert_eq!(body["totals"]["personal_files_count"], 1);
}

#[actix_web::test]
async fn the_dashboard_groups_by_firm_with_figures_that_match_the_ledger() {
    let w = world().await;
    let (rac, _) = w.app.signed_in(&w.rac).await;
    let response = get(&w.app, &rac, &format!("/v1/portal/regions/{PARIS}/bureaux")).await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.json());
    let body = response.json();
    let firms = body["items"].as_array().cloned().expect("firms");
    assert_eq!(firms.len(), 2, "only the granted firms");
    let durand = &firms[0];
    assert_eq!(durand["firm_ref"], "F-001");
    let bureaux = durand["bureaux"].as_array().cloned().expect("bureaux");
    assert_eq!(bureaux[0]["ref"], "B-001");
    assert_eq!(bureaux[0]["inscription_type"], "PRINCIPAL");
    // B-001: charges 45 000 + 120 050 + 30 000; payments 45 000 + 50 000.
    assert_eq!(
        (
            bureaux[0]["remaining_pp"].as_i64(),
            bureaux[0]["remaining_pm"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(cents(&bureaux[0]["total"]), 195_050);
    assert_eq!(cents(&bureaux[0]["balance"]), 100_050);
    // B-002: charge 30 000, paid 40 000, refunded 4 000 → credit of 6 000.
    assert_eq!(bureaux[1]["remaining_pm"], 1, "a draft is still to declare");
    assert_eq!(cents(&bureaux[1]["balance"]), -6_000);
    // Montant regroupé: what one payment for the firm's bureaux settles, given once, on the firm.
    assert_eq!(cents(&durand["grouped_amount"]), 94_050);
    assert!(bureaux.iter().all(|b| b.get("grouped_amount").is_none()));
    assert_eq!(cents(&durand["totals"]["balance"]), 94_050);
    // Nothing pending: each can pay its balance, never less than nothing (B-002's credit).
    assert_eq!(
        (cents(&bureaux[0]["pending"]), cents(&bureaux[0]["payable"])),
        (0, 100_050)
    );
    assert_eq!(cents(&bureaux[1]["payable"]), 0);
    assert_eq!(cents(&durand["totals"]["payable"]), 94_050);
    assert_eq!(cents(&durand["totals"]["total"]), 225_050);
    // Overall: both firms, never B-005.
    assert_eq!(cents(&body["totals"]["total"]), 255_050);
    assert_eq!(cents(&body["totals"]["balance"]), 124_050);
    assert_eq!(cents(&body["totals"]["payable"]), 94_050 + 30_000);
    assert_eq!(body["totals"]["remaining_pp"], 1);
    assert_eq!(body["totals"]["remaining_pm"], 1);
    assert!(!response.body.windows(5).any(|w| w == b"B-005"));
}

#[actix_web::test]
async fn the_dashboard_pages_by_firm() {
    let w = world().await;
    let (rac, _) = w.app.signed_in(&w.rac).await;
    let first = get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/bureaux?limit=1"),
    )
    .await
    .json();
    assert_eq!(first["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        first["items"][0]["bureaux"].as_array().map(Vec::len),
        Some(2),
        "a firm is never split"
    );
    let cursor = first["next_cursor"].as_str().expect("cursor").to_owned();
    let second = get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/bureaux?limit=1&cursor={cursor}"),
    )
    .await
    .json();
    assert_eq!(second["items"][0]["firm_ref"], "F-002");
    assert!(second["next_cursor"].is_null());
    assert_eq!(first["totals"], second["totals"], "totals cover every page");
}

#[actix_web::test]
async fn a_bureau_lists_its_persons_with_states_and_amounts() {
    let w = world().await;
    let (rac, _) = w.app.signed_in(&w.rac).await;
    let body = get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/bureaux/B-001"),
    )
    .await
    .json();
    let pp = body["natural_persons"].as_array().cloned().expect("pp");
    assert_eq!(pp.len(), 2);
    assert_eq!(pp[0]["name"], "BERNARD Luc");
    assert_eq!(pp[0]["declaration_state"], "to_declare");
    assert_eq!(pp[1]["declaration_state"], "submitted");
    assert_eq!(
        (cents(&pp[1]["amount_called"]), cents(&pp[1]["amount_paid"])),
        (45_000, 45_000)
    );
    let pm = body["legal_persons"].as_array().cloned().expect("pm");
    assert_eq!(pm[0]["name"], "Cabinet Durand");
    assert_eq!(cents(&pm[0]["amount_called"]), 120_050);
    assert_eq!(cents(&body["balance"]), 100_050);
    assert_eq!(body["campaign_open"], true);
}

#[actix_web::test]
async fn another_firms_bureau_or_another_regions_is_a_404_everywhere() {
    let w = world().await;
    let (rac, _) = w.app.signed_in(&w.rac).await;
    let b5 = &w.other_firm_bureau;
    get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/bureaux/{b5}"),
    )
    .await
    .assert_problem(404, "bureau_not_found");
    get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{BRETAGNE}/bureaux/B-001"),
    )
    .await
    .assert_problem(404, "bureau_not_found");
    get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/bureaux/{b5}/managers"),
    )
    .await
    .assert_problem(404, "bureau_not_found");
    get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{BRETAGNE}/bureaux/B-001/managers"),
    )
    .await
    .assert_problem(404, "bureau_not_found");
    get(&w.app, &rac, "/v1/portal/regions/atlantide/bureaux")
        .await
        .assert_problem(404, "region_not_found");
    let grant = w
        .app
        .send(
            w.app.authed(
                Method::POST,
                &format!("/v1/portal/regions/{PARIS}/bureaux/{b5}/managers"),
                &rac,
            ),
            Some(json!({"identifier": "rac.test"})),
        )
        .await;
    grant.assert_problem(404, "bureau_not_found");
    let revoke = w
        .app
        .send(
            w.app.authed(
                Method::DELETE,
                &format!("/v1/portal/regions/{PARIS}/bureaux/{b5}/managers/rac.test"),
                &rac,
            ),
            None,
        )
        .await;
    revoke.assert_problem(404, "bureau_not_found");
    // The unknown bureau answers exactly the same.
    let unknown = get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/bureaux/B-999"),
    )
    .await;
    assert_eq!(
        unknown.json(),
        get(
            &w.app,
            &rac,
            &format!("/v1/portal/regions/{PARIS}/bureaux/{b5}")
        )
        .await
        .json()
    );
    w.app
        .get("/v1/portal/regions")
        .await
        .assert_problem(401, "token_missing");
}

#[actix_web::test]
async fn an_email_conflict_blocks_the_region_until_the_user_chooses() {
    let w = world().await;
    Portal::of(&w.app).region_contact(PARIS, &w.rac.id, "RAC.Ancien@Autre-Cabinet.fr");
    let (rac, _) = w.app.signed_in(&w.rac).await;

    let blocked = get(&w.app, &rac, &format!("/v1/portal/regions/{PARIS}/bureaux")).await;
    blocked.assert_problem(409, "email_conflict");
    // The Link header leads to both steps, each under its own relation.
    assert_eq!(
        blocked.header("link").as_deref(),
        Some(
            format!(
                "</v1/portal/regions/{PARIS}/email-conflict>; rel=\"email-conflict\", \
                 </v1/portal/regions/{PARIS}/email-choice>; rel=\"email-choice\""
            )
            .as_str()
        )
    );
    get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/bureaux/B-001"),
    )
    .await
    .assert_problem(409, "email_conflict");
    // Who manages a bureau is behind the same gate as the region's other bureau routes.
    let managers = format!("/v1/portal/regions/{PARIS}/bureaux/B-001/managers");
    get(&w.app, &rac, &managers)
        .await
        .assert_problem(409, "email_conflict");
    w.app
        .send(
            w.app.authed(Method::POST, &managers, &rac),
            Some(json!({"identifier": "rac.test"})),
        )
        .await
        .assert_problem(409, "email_conflict");
    w.app
        .send(
            w.app
                .authed(Method::DELETE, &format!("{managers}/rac.test"), &rac),
            None,
        )
        .await
        .assert_problem(409, "email_conflict");
    assert_eq!(
        get(
            &w.app,
            &rac,
            &format!("/v1/portal/regions/{BRETAGNE}/bureaux")
        )
        .await
        .status
        .as_u16(),
        200,
        "other regions are not blocked"
    );

    let conflict = get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/email-conflict"),
    )
    .await
    .json();
    assert_eq!(conflict["comptexpert_email_masked"], "r…@cabinet.fr");
    assert_eq!(conflict["file_email_masked"], "r…@autre-cabinet.fr");

    let bad = w
        .app
        .send(
            w.app.authed(
                Method::PUT,
                &format!("/v1/portal/regions/{PARIS}/email-choice"),
                &rac,
            ),
            Some(json!({"choice": "both"})),
        )
        .await;
    bad.assert_problem(422, "invalid_body");
    let chosen = w
        .app
        .send(
            w.app.authed(
                Method::PUT,
                &format!("/v1/portal/regions/{PARIS}/email-choice"),
                &rac,
            ),
            Some(json!({"choice": "file"})),
        )
        .await;
    assert_eq!(chosen.status.as_u16(), 200);
    assert_eq!(chosen.json()["email_masked"], "r…@autre-cabinet.fr");
    assert!(chosen.json()["message"]
        .as_str()
        .unwrap_or_default()
        .contains("r…@autre-cabinet.fr"));

    assert_eq!(
        w.app.me(&rac).await.json()["email"],
        "rac.ancien@autre-cabinet.fr"
    );
    let notice = wait_for_email(&w.app, "rac@cabinet.fr").await;
    assert!(notice.text.contains("r…@autre-cabinet.fr"));
    assert_eq!(
        get(&w.app, &rac, &format!("/v1/portal/regions/{PARIS}/bureaux"))
            .await
            .status
            .as_u16(),
        200
    );
    let listed = get(&w.app, &rac, &managers).await;
    assert_eq!(listed.status.as_u16(), 200, "{}", listed.json());
    assert!(listed.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|m| m["identifier"] == "rac.test"));
    get(
        &w.app,
        &rac,
        &format!("/v1/portal/regions/{PARIS}/email-conflict"),
    )
    .await
    .assert_problem(404, "no_email_conflict");
    let events = get(&w.app, &rac, "/v1/me/security-events").await.json();
    assert!(events["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|e| e["kind"] == "email_changed"));
}

#[actix_web::test]
async fn keeping_the_comptexpert_address_updates_the_file() {
    let w = world().await;
    Portal::of(&w.app).personal_file(&w.member_id, BRETAGNE, "vieille.adresse@exemple.fr");
    let (member, _) = w.app.signed_in(&w.member).await;
    get(
        &w.app,
        &member,
        &format!("/v1/portal/regions/{BRETAGNE}/bureaux"),
    )
    .await
    .assert_problem(409, "email_conflict");
    let chosen = w
        .app
        .send(
            w.app.authed(
                Method::PUT,
                &format!("/v1/portal/regions/{BRETAGNE}/email-choice"),
                &member,
            ),
            Some(json!({"choice": "comptexpert"})),
        )
        .await;
    assert_eq!(chosen.json()["email_masked"], "m…@cabinet-durand.fr");
    assert_eq!(
        w.app.me(&member).await.json()["email"],
        "marie.durand@cabinet-durand.fr"
    );
    assert_eq!(
        get(
            &w.app,
            &member,
            &format!("/v1/portal/regions/{BRETAGNE}/bureaux")
        )
        .await
        .status
        .as_u16(),
        200
    );
}

#[actix_web::test]
async fn a_responsable_grants_and_revokes_a_rac_who_cannot_grant_himself() {
    let w = world().await;
    let newcomer = w
        .app
        .add_active_account("new.rac", "Rac-2026!", "new@cabinet.fr");
    let (member, _) = w.app.signed_in(&w.member).await;
    let (rac, _) = w.app.signed_in(&w.rac).await;
    let (fresh, _) = w.app.signed_in(&newcomer).await;
    get(
        &w.app,
        &fresh,
        &format!("/v1/portal/regions/{PARIS}/bureaux/B-002"),
    )
    .await
    .assert_problem(404, "bureau_not_found");

    let path = &format!("/v1/portal/regions/{PARIS}/bureaux/B-002/managers");
    let by_rac = w
        .app
        .send(
            w.app.authed(Method::POST, path, &rac),
            Some(json!({"identifier": "new.rac"})),
        )
        .await;
    by_rac.assert_problem(403, "not_responsable");
    let granted = w
        .app
        .send(
            w.app.authed(Method::POST, path, &member),
            Some(json!({"identifier": "new.rac"})),
        )
        .await;
    assert_eq!(granted.status.as_u16(), 201);
    let list = granted.json()["items"].as_array().cloned().expect("items");
    assert!(list
        .iter()
        .any(|m| m["identifier"] == "new.rac" && m["granted_by"] == "mdurand"));
    let again = w
        .app
        .send(
            w.app.authed(Method::POST, path, &member),
            Some(json!({"identifier": "new.rac"})),
        )
        .await;
    assert_eq!(again.status.as_u16(), 200);
    w.app
        .send(
            w.app.authed(Method::POST, path, &member),
            Some(json!({"identifier": "nobody"})),
        )
        .await
        .assert_problem(404, "account_not_found");

    assert_eq!(
        get(
            &w.app,
            &fresh,
            &format!("/v1/portal/regions/{PARIS}/bureaux/B-002")
        )
        .await
        .status
        .as_u16(),
        200
    );
    assert_eq!(
        get(&w.app, &rac, path).await.status.as_u16(),
        200,
        "managers are visible to a manager"
    );

    let revoke = w
        .app
        .send(
            w.app
                .authed(Method::DELETE, &format!("{path}/new.rac"), &member),
            None,
        )
        .await;
    assert_eq!(revoke.status.as_u16(), 204);
    revoke.assert_empty();
    get(
        &w.app,
        &fresh,
        &format!("/v1/portal/regions/{PARIS}/bureaux/B-002"),
    )
    .await
    .assert_problem(404, "bureau_not_found");
    w.app
        .send(
            w.app
                .authed(Method::DELETE, &format!("{path}/new.rac"), &member),
            None,
        )
        .await
        .assert_problem(404, "manager_not_found");
}

#[actix_web::test]
async fn the_email_choice_is_confirmed_in_the_callers_language() {
    let w = world().await;
    Portal::of(&w.app).personal_file(&w.member_id, BRETAGNE, "vieille.adresse@exemple.fr");
    let (member, _) = w.app.signed_in(&w.member).await;
    let chosen = w
        .app
        .send(
            w.app
                .authed(
                    Method::PUT,
                    &format!("/v1/portal/regions/{BRETAGNE}/email-choice"),
                    &member,
                )
                .insert_header(("Accept-Language", "en")),
            Some(json!({"choice": "comptexpert"})),
        )
        .await;
    assert_eq!(chosen.status.as_u16(), 200);
    let message = chosen.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.starts_with("Your choice is saved"), "{message}");
}
