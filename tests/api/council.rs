//! A regional council's side from outside: scope (a council of Paris does not see Rhône-Alpes,
//! the support desk does not touch contributions), the transfers it records, the refunds and
//! credits it books (the RAC's Solde moves by exactly their amount), bureau grants, campaigns,
//! the barème upload, refused notifications, the CSV exports a French spreadsheet opens, and
//! one audit record per action.

use awc::http::Method;
use comptexpert::{domain::states::StaffRoleKind, flows::staff::roles};
use serde_json::{json, Value};

use crate::{
    helpers::{TestApp, TestResponse},
    payments_world::{cents, world, World, PARIS},
};

const RHONE: &str = "rhone-alpes";

async fn staff(
    app: &TestApp,
    identifier: &str,
    role: StaffRoleKind,
    region: Option<&str>,
) -> String {
    let account =
        app.add_active_account(identifier, "Staff-2026!", &format!("{identifier}@ordre.fr"));
    roles::grant_by_operator(
        &app.context,
        identifier.into(),
        role,
        region.map(str::to_owned),
    )
    .await
    .unwrap_or_else(|_| panic!("the operator grants {identifier}"));
    app.signed_in(&account).await.0
}

async fn call(
    app: &TestApp,
    method: Method,
    path: impl AsRef<str>,
    token: &str,
    body: Option<Value>,
) -> TestResponse {
    // Money a council books takes an Idempotency-Key, as a payment does: a fresh one per call.
    let mut request = app.authed(method.clone(), path.as_ref(), token);
    if method == Method::POST {
        request = request.insert_header(("Idempotency-Key", uuid::Uuid::new_v4().to_string()));
    }
    app.send(request, body).await
}

/// A call with the given `Idempotency-Key` (a retry sends the same).
async fn call_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: Value,
) -> TestResponse {
    let request = app
        .authed(Method::POST, path, token)
        .insert_header(("Idempotency-Key", key));
    app.send(request, Some(body)).await
}

fn audit_count(app: &TestApp) -> usize {
    let mut conn = comptexpert::db::build_pool(&app.database_url)
        .expect("pool")
        .get()
        .expect("connection");
    comptexpert::db::staff::AuditRecord::page(&mut conn, &Default::default(), 10_000)
        .expect("records")
        .len()
}

fn last_audit(app: &TestApp) -> comptexpert::db::staff::AuditRecord {
    let mut conn = comptexpert::db::build_pool(&app.database_url)
        .expect("pool")
        .get()
        .expect("connection");
    comptexpert::db::staff::AuditRecord::page(&mut conn, &Default::default(), 1)
        .expect("records")
        .remove(0)
}

fn value(text: &Option<String>) -> Value {
    serde_json::from_str(text.as_deref().expect("a value")).expect("JSON")
}

/// The action `run` leaves exactly one audit record, with this action, returned.
async fn audited<F, Fut>(
    w: &World,
    action: &str,
    run: F,
) -> (TestResponse, comptexpert::db::staff::AuditRecord)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = TestResponse>,
{
    let before = audit_count(&w.app);
    let response = run().await;
    assert!(
        response.status.is_success(),
        "{action}: {} {:?}",
        response.status,
        response.json()
    );
    assert_eq!(audit_count(&w.app), before + 1, "one record for {action}");
    let record = last_audit(&w.app);
    assert_eq!(record.action, action);
    assert_eq!(record.actor_role, "council");
    (response, record)
}

/// Parses a CSV export as a French spreadsheet reads it: a BOM, `;` between fields, `"` quotes.
fn spreadsheet(body: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(body).expect("UTF-8");
    let text = text.strip_prefix('\u{FEFF}').expect("a BOM first");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
        .collect()
}

#[actix_web::test]
async fn a_council_books_what_its_region_receives_and_gives_back_and_the_solde_follows() {
    let w = world().await;
    let council = staff(&w.app, "c.paris", StaffRoleKind::Council, Some(PARIS)).await;
    let lyon = staff(&w.app, "c.lyon", StaffRoleKind::Council, Some(RHONE)).await;
    let support = staff(&w.app, "s.agent", StaffRoleKind::Support, None).await;
    let admin = staff(&w.app, "a.admin", StaffRoleKind::Administrator, None).await;
    let region = format!("/v1/staff/regions/{PARIS}");

    // Scope: Rhône-Alpes's council, the support desk and an administrator do not see Paris's
    // contributions; Paris's council does not see Rhône-Alpes.
    for token in [&lyon, &support, &admin] {
        for path in [
            "bureaux",
            "summary",
            "campaigns",
            "webhook-events",
            "exports/payments",
        ] {
            call(
                &w.app,
                Method::GET,
                &format!("{region}/{path}"),
                token,
                None,
            )
            .await
            .assert_problem(404, "not_found");
        }
    }
    call(
        &w.app,
        Method::GET,
        &format!("/v1/staff/regions/{RHONE}/bureaux"),
        &council,
        None,
    )
    .await
    .assert_problem(404, "not_found");
    call(
        &w.app,
        Method::POST,
        &format!("{region}/bureaux/B-001/ledger-entries"),
        &support,
        Some(json!({"kind": "refund", "amount_cents": 100, "reason": "x"})),
    )
    .await
    .assert_problem(404, "not_found");

    w.declare_everyone().await;
    let listed = call(
        &w.app,
        Method::GET,
        &format!("{region}/bureaux"),
        &council,
        None,
    )
    .await;
    assert_eq!(listed.status.as_u16(), 200, "{:?}", listed.json());
    let listed = listed.json();
    let b1 = listed["items"]
        .as_array()
        .expect("bureaux")
        .iter()
        .find(|b| b["bureau_ref"] == "B-001")
        .cloned()
        .expect("B-001");
    let row = w.row("B-001").await;
    assert_eq!(
        b1["figures"]["balance"], row["balance"],
        "the council's Solde is the RAC's"
    );
    assert_eq!(b1["declared"], true);
    let owed = cents(&row["balance"]);
    assert!(owed > 0);

    // A transfer announced in the portal, received: a wrong amount is refused, the right one
    // confirms the payment and the Solde falls to zero.
    let payment = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("b1-transfer"),
            json!({"method": "transfer"}),
        )
        .await
        .json();
    let receipt_path = format!(
        "{region}/payments/{}/transfer-received",
        payment["id"].as_str().expect("id")
    );
    call(
        &w.app,
        Method::POST,
        &receipt_path,
        &council,
        Some(json!({"amount_cents": owed - 1, "reason": "Relevé du 14/03"})),
    )
    .await
    .assert_problem(422, "transfer_amount_mismatch");
    call(
        &w.app,
        Method::POST,
        &receipt_path,
        &lyon,
        Some(json!({"amount_cents": owed, "reason": "Relevé du 14/03"})),
    )
    .await
    .assert_problem(404, "not_found");
    let (confirmed, record) = audited(&w, "payment.transfer_received", || {
        call(
            &w.app,
            Method::POST,
            &receipt_path,
            &council,
            Some(json!({"amount_cents": owed, "reason": "Relevé du 14/03"})),
        )
    })
    .await;
    assert_eq!(confirmed.json()["status"], "confirmed");
    assert_eq!(value(&record.before_value)["status"], "pending");
    assert_eq!(value(&record.after_value)["status"], "confirmed");
    assert_eq!(cents(&w.row("B-001").await["balance"]), 0);
    call(
        &w.app,
        Method::POST,
        &receipt_path,
        &council,
        Some(json!({"amount_cents": owed, "reason": "encore"})),
    )
    .await
    .assert_problem(409, "payment_not_pending");
    // A card payment waits for its provider: no bank statement confirms it.
    let card = w
        .pay(
            &w.bureau_payments("B-002"),
            Some("b2-card"),
            json!({"method": "card", "amount_cents": 100}),
        )
        .await;
    assert_eq!(card.status.as_u16(), 201, "{:?}", card.json());
    let card = card.json();
    call(
        &w.app,
        Method::POST,
        format!(
            "{region}/payments/{}/transfer-received",
            card["id"].as_str().expect("id")
        ),
        &council,
        Some(json!({"amount_cents": 100, "reason": "Relevé"})),
    )
    .await
    .assert_problem(409, "payment_not_a_transfer");
    call(
        &w.app,
        Method::POST,
        format!(
            "/v1/portal/regions/{PARIS}/payments/{}/cancel",
            card["id"].as_str().expect("id")
        ),
        &w.token,
        None,
    )
    .await;

    // A refund moves the Solde by exactly its amount; never more than was received.
    let entries = format!("{region}/bureaux/B-001/ledger-entries");
    let before = cents(&w.row("B-001").await["balance"]);
    let (refund, record) = audited(&w, "ledger.refund_booked", || {
        call(
            &w.app,
            Method::POST,
            &entries,
            &council,
            Some(json!({"kind": "refund", "amount_cents": 5000, "reason": "Trop-perçu remboursé"})),
        )
    })
    .await;
    assert_eq!(refund.status.as_u16(), 201);
    assert_eq!(refund.json()["entry"]["reason"], "Trop-perçu remboursé");
    assert_eq!(cents(&w.row("B-001").await["balance"]), before + 5000);
    assert_eq!(value(&record.before_value)["balance_cents"], before);
    assert_eq!(
        value(&record.after_value)["figures"]["balance_cents"],
        before + 5000
    );
    call(
        &w.app,
        Method::POST,
        &entries,
        &council,
        Some(json!({"kind": "refund", "amount_cents": owed, "reason": "trop"})),
    )
    .await
    .assert_problem(409, "refund_exceeds_received");
    for bad in [
        json!({"kind": "credit", "amount_cents": 0, "reason": "zéro"}),
        json!({"kind": "credit", "amount_cents": 100, "reason": "  "}),
    ] {
        call(&w.app, Method::POST, &entries, &council, Some(bad))
            .await
            .assert_problem(422, "validation_failed");
    }

    // A credit forgives part of what B-002 owes; a transfer nobody announced pays some more.
    let b2 = cents(&w.row("B-002").await["balance"]);
    let path = format!("{region}/bureaux/B-002/ledger-entries");
    audited(&w, "ledger.credit_booked", || {
        call(
            &w.app,
            Method::POST,
            &path,
            &council,
            Some(json!({"kind": "credit", "amount_cents": 2000, "reason": "Remise accordée"})),
        )
    })
    .await;
    assert_eq!(cents(&w.row("B-002").await["balance"]), b2 - 2000);
    audited(&w, "ledger.transfer_recorded", || {
        call(
            &w.app,
            Method::POST,
            &path,
            &council,
            Some(json!({"kind": "transfer_received", "amount_cents": 1000, "reason": "Virement sans référence"})),
        )
    })
    .await;
    assert_eq!(cents(&w.row("B-002").await["balance"]), b2 - 3000);
    w.assert_ledger_agrees().await;

    // A retried booking with the same key is the first one, booked once; without a key, none.
    let retried =
        json!({"kind": "credit", "amount_cents": 500, "reason": "Remise, envoyée deux fois"});
    let before_retry = cents(&w.row("B-002").await["balance"]);
    let first = call_with_key(&w.app, &path, &council, "avoir-1", retried.clone()).await;
    assert_eq!(first.status.as_u16(), 201, "{:?}", first.json());
    let again = call_with_key(&w.app, &path, &council, "avoir-1", retried.clone()).await;
    assert_eq!(again.status.as_u16(), 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json()["entry"]["id"], first.json()["entry"]["id"]);
    assert_eq!(cents(&w.row("B-002").await["balance"]), before_retry - 500);
    let unkeyed = w.app.authed(Method::POST, &path, &council);
    w.app
        .send(unkeyed, Some(retried))
        .await
        .assert_problem(428, "idempotency_key_required");
    // A credit forgives what is owed, not more.
    call(
        &w.app,
        Method::POST,
        &path,
        &council,
        Some(json!({"kind": "credit", "amount_cents": before_retry, "reason": "Trop"})),
    )
    .await
    .assert_problem(409, "credit_exceeds_balance");

    // The bureau's ledger shows each entry with its reason and who booked it.
    let account = call(
        &w.app,
        Method::GET,
        &format!("{region}/bureaux/B-002"),
        &council,
        None,
    )
    .await
    .json();
    let kinds: Vec<&str> = account["ledger"]
        .as_array()
        .expect("ledger")
        .iter()
        .filter(|e| e["reason"].is_string())
        .map(|e| e["reference"].as_str().expect("reference"))
        .collect();
    // The retried credit stands once.
    assert_eq!(
        kinds,
        ["council_credit", "transfer_received", "council_credit"]
    );

    // The summary adds it up.
    let summary = call(
        &w.app,
        Method::GET,
        &format!("{region}/summary"),
        &council,
        None,
    )
    .await
    .json();
    assert_eq!(summary["campaign_year"], 2026);
    assert_eq!(summary["bureaux"], 3);
    assert_eq!(summary["bureaux_declared"], 2);
    let dashboard = w.dashboard().await;
    let outstanding: i64 = dashboard["items"]
        .as_array()
        .expect("firms")
        .iter()
        .flat_map(|f| f["bureaux"].as_array().cloned().unwrap_or_default())
        .map(|b| cents(&b["balance"]).max(0))
        .sum();
    let b9 = call(
        &w.app,
        Method::GET,
        &format!("{region}/bureaux/B-009"),
        &council,
        None,
    )
    .await
    .json();
    assert_eq!(
        cents(&summary["outstanding"]),
        outstanding + cents(&b9["bureau"]["figures"]["balance"]).max(0)
    );
    assert_eq!(cents(&summary["paid"]), owed - 5000 + 1000);

    // The payments export opens in a French spreadsheet: BOM, `;`, amounts with a comma.
    let (export, _) = audited(&w, "payments.exported", || {
        call(
            &w.app,
            Method::GET,
            format!("{region}/exports/payments"),
            &council,
            None,
        )
    })
    .await;
    assert!(export
        .header("content-type")
        .expect("a type")
        .starts_with("text/csv"));
    let sheet = spreadsheet(&export.body);
    assert_eq!(sheet[0][0], "payment_id");
    assert_eq!(
        sheet.len(),
        3,
        "a header, the transfer and the cancelled card payment"
    );
    assert_eq!(sheet[1][3], "confirmed");
    assert_eq!(sheet[1][4], format!("{},{:02}", owed / 100, owed % 100));
    assert_eq!(sheet[1][6], "rac.pay");
    assert_eq!(
        (
            sheet[2][2].as_str(),
            sheet[2][3].as_str(),
            sheet[2][4].as_str(),
            sheet[2][9].as_str()
        ),
        ("card", "failed", "1,00", "cancelled")
    );
}

#[actix_web::test]
async fn a_council_grants_bureaux_runs_its_campaigns_and_barème_and_resolves_refused_notices() {
    let w = world().await;
    let council = staff(&w.app, "c.paris", StaffRoleKind::Council, Some(PARIS)).await;
    let admin = staff(&w.app, "a.admin", StaffRoleKind::Administrator, None).await;
    let region = format!("/v1/staff/regions/{PARIS}");

    // Bureau grants: the RAC sees B-009 once granted, and no more once revoked.
    let managers = format!("{region}/bureaux/B-009/managers");
    let sees_b9 = |dashboard: &Value| {
        dashboard["items"]
            .as_array()
            .expect("firms")
            .iter()
            .any(|f| f["firm_ref"] == "F-009")
    };
    assert!(!sees_b9(&w.dashboard().await));
    let (granted, _) = audited(&w, "bureau.granted", || {
        call(
            &w.app,
            Method::POST,
            &managers,
            &council,
            Some(json!({"identifier": "rac.pay"})),
        )
    })
    .await;
    assert_eq!(granted.status.as_u16(), 201);
    assert!(sees_b9(&w.dashboard().await));
    let again = call(
        &w.app,
        Method::POST,
        &managers,
        &council,
        Some(json!({"identifier": "rac.pay"})),
    )
    .await;
    assert_eq!(again.status.as_u16(), 200);
    let identifiers: Vec<Value> = again.json()["items"]
        .as_array()
        .expect("managers")
        .iter()
        .map(|m| m["identifier"].clone())
        .collect();
    assert_eq!(identifiers, [json!("rac.autre"), json!("rac.pay")]);
    call(
        &w.app,
        Method::POST,
        &managers,
        &council,
        Some(json!({"identifier": "nobody"})),
    )
    .await
    .assert_problem(404, "account_not_found");
    audited(&w, "bureau.grant_revoked", || {
        call(
            &w.app,
            Method::DELETE,
            format!("{managers}/rac.pay"),
            &council,
            None,
        )
    })
    .await;
    assert!(!sees_b9(&w.dashboard().await));
    call(
        &w.app,
        Method::DELETE,
        format!("{managers}/rac.pay"),
        &council,
        None,
    )
    .await
    .assert_problem(404, "manager_not_found");

    // Campaigns: dated, opened and closed; dates out of order are refused.
    call(
        &w.app,
        Method::PUT,
        &format!("{region}/campaigns/2027"),
        &council,
        Some(json!({"is_open": false, "opens_on": "2027-03-01", "closes_on": "2027-01-31"})),
    )
    .await
    .assert_problem(422, "validation_failed");
    let (dated, record) = audited(&w, "campaign.updated", || {
        call(
            &w.app,
            Method::PUT,
            format!("{region}/campaigns/2026"),
            &council,
            Some(json!({"is_open": true, "opens_on": "2026-01-15", "closes_on": "2026-03-31"})),
        )
    })
    .await;
    assert_eq!(dated.json()["closes_on"], "2026-03-31");
    assert_eq!(value(&record.before_value)["closes_on"], Value::Null);
    assert_eq!(value(&record.after_value)["closes_on"], "2026-03-31");
    let listed = call(
        &w.app,
        Method::GET,
        &format!("{region}/campaigns"),
        &council,
        None,
    )
    .await
    .json();
    assert_eq!(listed["items"][0]["year"], 2026);
    assert_eq!(listed["items"][0]["opens_on"], "2026-01-15");

    // The barème, uploaded as CSV: a row of another region or a bad figure writes nothing; a
    // valid one calls the new fixed part of every bureau, which the Solde shows.
    let header = "region_code;campaign_year;pp_independant_cents;pp_salarie_cents;pp_83ter_percent;pp_83quater_percent;new_member_year1_reduction_percent;new_member_year2_reduction_percent;bureau_fixed_cents;pm_fixed_cents;pm_per_head_cents";
    let upload = |token: &str, csv: String| {
        let request = w
            .app
            .authed(Method::PUT, &format!("{region}/scales/2026"), token)
            .insert_header(("Content-Type", "text/csv"));
        async move {
            let mut response = request.send_body(csv).await.expect("reaches the server");
            let body = response.body().await.expect("body").to_vec();
            TestResponse {
                status: response.status(),
                headers: response.headers().clone(),
                body,
            }
        }
    };
    let b1 = cents(&w.row("B-001").await["balance"]);
    let refused = upload(
        &council,
        format!("{header}\nbretagne;2026;45000;38000;70;50;50;25;31000;20000;1250\n"),
    )
    .await;
    let problem = refused.assert_problem(422, "validation_failed");
    assert!(problem.to_string().contains("Ligne 2"), "{problem}");
    let refused = upload(
        &council,
        format!("{header}\n{PARIS};2026;45000;38000;70;50;50;25;-1;20000;1250\n"),
    )
    .await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(
        cents(&w.row("B-001").await["balance"]),
        b1,
        "nothing written"
    );
    let (loaded, record) = audited(&w, "scale.uploaded", || {
        upload(
            &council,
            format!("{header}\n{PARIS};2026;45000;38000;70;50;50;25;31000;20000;1250\n"),
        )
    })
    .await;
    assert_eq!(loaded.json()["outcome"], "updated");
    assert_eq!(loaded.json()["fixed_parts_called"], 3);
    assert_eq!(value(&record.before_value)["bureau_fixed_cents"], 30000);
    assert_eq!(value(&record.after_value)["bureau_fixed_cents"], 31000);
    assert_eq!(cents(&w.row("B-001").await["balance"]), b1 + 1000);
    // An administrator may load any region's barème.
    let by_admin = upload(
        &admin,
        format!("{header}\n{PARIS};2026;45000;38000;70;50;50;25;31000;20000;1250\n"),
    )
    .await;
    assert_eq!(by_admin.status.as_u16(), 200, "{:?}", by_admin.json());
    assert_eq!(by_admin.json()["outcome"], "unchanged");
    assert_eq!(last_audit(&w.app).actor_role, "administrator");

    // A notification refused for its amount waits for the council, which resolves it once.
    w.declare_everyone().await;
    let payment = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("b1-card"),
            json!({"method": "transfer"}),
        )
        .await
        .json();
    let event_id = format!("evt_{}", uuid::Uuid::new_v4().simple());
    let notice = w
        .webhook(
            "bank",
            json!({
                "id": event_id,
                "type": "payment.succeeded",
                "payment_reference": payment["transfer_reference"],
                "amount_cents": cents(&payment["amount"]) - 200,
                "currency": "EUR",
            }),
        )
        .await;
    assert_eq!(notice.json()["outcome"], "amount_mismatch");
    let events = format!("{region}/webhook-events");
    let listed = call(&w.app, Method::GET, &events, &council, None)
        .await
        .json();
    assert_eq!(listed["items"].as_array().expect("events").len(), 1);
    assert_eq!(listed["items"][0]["outcome"], "amount_mismatch");
    assert_eq!(listed["items"][0]["payment_id"], payment["id"]);
    let resolution = format!("{events}/bank/{event_id}/resolution");
    audited(&w, "webhook_event.resolved", || {
        call(
            &w.app,
            Method::POST,
            &resolution,
            &council,
            Some(json!({"resolution": "Écart de 2 € : payeur contacté"})),
        )
    })
    .await;
    call(
        &w.app,
        Method::POST,
        &resolution,
        &council,
        Some(json!({"resolution": "encore"})),
    )
    .await
    .assert_problem(409, "event_already_resolved");
    let open = call(&w.app, Method::GET, &events, &council, None)
        .await
        .json();
    assert_eq!(open["items"], json!([]));
    let all = call(
        &w.app,
        Method::GET,
        &format!("{events}?resolved=true"),
        &council,
        None,
    )
    .await
    .json();
    assert_eq!(
        all["items"][0]["resolution"],
        "Écart de 2 € : payeur contacté"
    );

    // The declarations export: one line per person, the amounts with a decimal comma.
    let export = call(
        &w.app,
        Method::GET,
        &format!("{region}/exports/declarations?year=2026"),
        &council,
        None,
    )
    .await;
    assert_eq!(export.status.as_u16(), 200);
    let sheet = spreadsheet(&export.body);
    assert_eq!(sheet[0][..3], ["firm_ref", "firm_name", "bureau_ref"]);
    assert_eq!(sheet.len(), 1 + 5, "a header and the five persons of Paris");
    let firm_line = sheet
        .iter()
        .find(|l| l[2] == "B-001" && l[3] == "PM")
        .expect("the firm's line");
    assert_eq!(firm_line[1], "Cabinet Durand & Associés");
    assert_eq!(firm_line[6], "submitted");
    assert_eq!(firm_line[9], "12,50");
    call(
        &w.app,
        Method::GET,
        &format!("{region}/exports/declarations?year=1999"),
        &council,
        None,
    )
    .await
    .assert_problem(404, "campaign_not_found");
}

#[actix_web::test]
async fn outside_its_scope_or_without_step_up_a_bad_request_is_still_404_or_403() {
    use diesel::prelude::*;
    let w = world().await;
    let council = staff(&w.app, "c.paris", StaffRoleKind::Council, Some(PARIS)).await;
    let region = format!("/v1/staff/regions/{PARIS}");
    let bad_booking = json!({"kind": "refund", "amount_cents": 0, "reason": ""});
    let bad_campaign =
        json!({"is_open": true, "opens_on": "2026-03-01", "closes_on": "2026-01-01"});

    // Not a council of Paris: the endpoint does not exist, whatever the body holds.
    for token in [
        &w.token,
        &staff(&w.app, "c.lyon", StaffRoleKind::Council, Some(RHONE)).await,
    ] {
        call(
            &w.app,
            Method::POST,
            format!("{region}/bureaux/B-001/ledger-entries"),
            token,
            Some(bad_booking.clone()),
        )
        .await
        .assert_problem(404, "not_found");
        call(
            &w.app,
            Method::PUT,
            format!("{region}/campaigns/1800"),
            token,
            Some(bad_campaign.clone()),
        )
        .await
        .assert_problem(404, "not_found");
        let scale = w
            .app
            .authed(Method::PUT, &format!("{region}/scales/2026"), token)
            .insert_header(("Content-Type", "text/csv"));
        let mut response = scale
            .send_body("not a barème")
            .await
            .expect("reaches the server");
        assert_eq!(response.status().as_u16(), 404);
        let _ = response.body().await;
    }

    // A council signed in long ago must step up before anything, a bad request included.
    {
        use comptexpert::db::schema::{accounts, sessions};
        let mut conn = comptexpert::db::build_pool(&w.app.database_url)
            .expect("pool")
            .get()
            .expect("connection");
        let id: String = accounts::table
            .filter(accounts::identifier.eq("c.paris"))
            .select(accounts::id)
            .first(&mut *conn)
            .expect("the council's account");
        diesel::update(sessions::table.filter(sessions::account_id.eq(id)))
            .set(sessions::created_at.eq(comptexpert::db::now() - chrono::Duration::minutes(16)))
            .execute(&mut *conn)
            .expect("aged");
    }
    call(
        &w.app,
        Method::POST,
        format!("{region}/bureaux/B-001/ledger-entries"),
        &council,
        Some(bad_booking),
    )
    .await
    .assert_problem(403, "step_up_required");
    call(
        &w.app,
        Method::GET,
        format!("{region}/summary"),
        &council,
        None,
    )
    .await
    .assert_problem(403, "step_up_required");
}
