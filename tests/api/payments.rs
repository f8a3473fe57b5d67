use awc::http::Method;
use futures_util::future::join;
use serde_json::{json, Value};

use crate::{
    payments_world::{cents, signature_now, world, world_with, PARIS},
    portal_fixtures::Portal,
};

fn parts_sum(payment: &Value) -> i64 {
    payment["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| cents(&a["amount"]))
        .sum()
}

#[actix_web::test]
async fn a_grouped_payment_retried_with_the_same_key_is_charged_once() {
    let w = world().await;
    w.declare_everyone().await;
    let grouped = cents(&w.firm("F-001").await["grouped_amount"]);
    assert_eq!(grouped, 209_975);

    let first = w
        .pay(
            &w.firm_payments(),
            Some("pay-2026-1"),
            json!({"method": "transfer"}),
        )
        .await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.json());
    let payment = first.json();
    assert_eq!(
        (payment["status"].as_str(), payment["grouped"].as_bool()),
        (Some("pending"), Some(true))
    );
    assert_eq!(cents(&payment["amount"]), grouped);
    assert_eq!(
        parts_sum(&payment),
        grouped,
        "the parts add up to the payment"
    );
    assert!(payment["transfer_reference"]
        .as_str()
        .is_some_and(|r| r.starts_with("CE-2026-")));
    // Bureaux in the dashboard's order; each one's fixed part first.
    assert_eq!(payment["allocations"][0]["bureau_ref"], "B-001");
    assert!(payment["allocations"][0]["person_id"].is_null());
    assert_eq!(payment["allocations"].as_array().map(Vec::len), Some(7));

    let retry = w
        .pay(
            &w.firm_payments(),
            Some("pay-2026-1"),
            json!({"method": "transfer"}),
        )
        .await;
    assert_eq!(retry.status.as_u16(), 201);
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.json()["id"], payment["id"]);
    assert_eq!(Portal::of(&w.app).payment_count(), 1);
    w.pay(
        &w.firm_payments(),
        Some("pay-2026-1"),
        json!({"method": "card"}),
    )
    .await
    .assert_problem(422, "idempotency_key_reused");
    w.pay(&w.firm_payments(), None, json!({"method": "transfer"}))
        .await
        .assert_problem(428, "idempotency_key_required");
    // Pending: nothing is booked yet, and what it reserves cannot be paid twice.
    assert_eq!(cents(&w.firm("F-001").await["grouped_amount"]), grouped);
    w.pay(
        &w.firm_payments(),
        Some("pay-2026-2"),
        json!({"method": "transfer"}),
    )
    .await
    .assert_problem(422, "nothing_to_pay");
    w.assert_ledger_agrees().await;

    w.confirm(&payment).await;
    let id = payment["id"].as_str().expect("id");
    assert_eq!(Portal::of(&w.app).booked_for_payment(id), grouped);
    assert_eq!(cents(&w.row("B-001").await["balance"]), 0);
    assert_eq!(cents(&w.firm("F-001").await["grouped_amount"]), 0);
    let detail = w
        .get(&format!("/v1/portal/regions/{PARIS}/bureaux/B-001"))
        .await
        .json();
    assert_eq!(cents(&detail["natural_persons"][0]["amount_paid"]), 26_600);
    let confirmed = w
        .get(&format!("/v1/portal/regions/{PARIS}/payments/{id}"))
        .await
        .json();
    assert_eq!(confirmed["status"], "confirmed");
    assert!(confirmed["receipt_url"].as_str().is_some());
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn two_concurrent_payments_with_the_same_key_charge_once() {
    let w = world().await;
    w.declare_everyone().await;
    let body = json!({"method": "transfer", "amount_cents": 100_000});
    let (a, b) = join(
        w.pay(&w.firm_payments(), Some("race-key"), body.clone()),
        w.pay(&w.firm_payments(), Some("race-key"), body.clone()),
    )
    .await;
    let statuses = [a.status.as_u16(), b.status.as_u16()];
    assert!(
        statuses.contains(&201),
        "{statuses:?}: {} {}",
        a.json(),
        b.json()
    );
    for response in [&a, &b] {
        match response.status.as_u16() {
            201 => assert_eq!(cents(&response.json()["amount"]), 100_000),
            409 => {
                response.assert_problem(409, "idempotency_in_progress");
            }
            other => panic!("unexpected {other}: {}", response.json()),
        }
    }
    assert_eq!(Portal::of(&w.app).payment_count(), 1);
    let winner = if a.status.as_u16() == 201 {
        a.json()
    } else {
        b.json()
    };
    let again = w.pay(&w.firm_payments(), Some("race-key"), body).await;
    assert_eq!(again.json()["id"], winner["id"]);
    w.confirm(&winner).await;
    assert_eq!(
        cents(&w.firm("F-001").await["grouped_amount"]),
        209_975 - 100_000
    );
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn two_concurrent_payments_with_different_keys_never_reserve_the_same_debt() {
    let w = world().await;
    w.declare_everyone().await;
    let body = json!({"method": "transfer"});
    let (a, b) = join(
        w.pay(&w.firm_payments(), Some("left"), body.clone()),
        w.pay(&w.firm_payments(), Some("right"), body),
    )
    .await;
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{} {}", a.json(), b.json());
    let refused = if a.status.as_u16() == 422 { &a } else { &b };
    refused.assert_problem(422, "nothing_to_pay");
    assert_eq!(Portal::of(&w.app).payment_count(), 1);
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn a_partial_payment_is_allocated_in_order_and_an_overpayment_is_refused() {
    let w = world().await;
    w.declare_everyone().await;
    // B-001 owes 137 225: its fixed part (30 000), then Marie (45 000), Luc, the firm.
    let partial = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("partial-1"),
            json!({"method": "card", "amount_cents": 50_000}),
        )
        .await;
    assert_eq!(partial.status.as_u16(), 201, "{}", partial.json());
    let partial = partial.json();
    assert!(partial["checkout_url"]
        .as_str()
        .is_some_and(|u| u.contains("/paiement-test/test_")));
    assert_eq!(partial["bureau_ref"], "B-001");
    let parts: Vec<(Option<&str>, i64)> = partial["allocations"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|a| (a["person_name"].as_str(), cents(&a["amount"])))
        .collect();
    assert_eq!(parts, vec![(None, 30_000), (Some("DURAND Marie"), 20_000)]);

    let reference = partial["checkout_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("reference");
    assert_eq!(partial["provider_reference"], reference);
    assert!(partial["transfer_instructions"].is_null(), "not a transfer");
    let partial_id = partial["id"].as_str().expect("id");
    w.get(&format!(
        "/v1/portal/regions/{PARIS}/payments/{partial_id}/transfer-instructions"
    ))
    .await
    .assert_problem(404, "transfer_not_found");

    // The pending 500 € is reserved: at most 872,25 € more may be paid, which the problem
    // gives as a number besides its text.
    let over = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("partial-2"),
            json!({"method": "transfer", "amount_cents": 87_226}),
        )
        .await;
    let problem = over.assert_problem(422, "overpayment");
    assert_eq!(problem["payable_cents"], 87_225);
    assert_eq!(cents(&w.row("B-001").await["payable"]), 87_225);
    w.pay(
        &w.bureau_payments("B-001"),
        Some("partial-3"),
        json!({"method": "transfer", "amount_cents": 0}),
    )
    .await
    .assert_problem(422, "validation_failed");
    w.confirm(&partial).await;
    let row = w.row("B-001").await;
    assert_eq!(cents(&row["balance"]), 137_225 - 50_000);
    w.assert_ledger_agrees().await;

    let rest = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("partial-4"),
            json!({"method": "direct_debit"}),
        )
        .await
        .json();
    assert_eq!(cents(&rest["amount"]), 87_225);
    assert_eq!(rest["allocations"][0]["person_name"], "DURAND Marie");
    assert_eq!(cents(&rest["allocations"][0]["amount"]), 25_000);
    w.confirm(&rest).await;
    assert_eq!(cents(&w.row("B-001").await["balance"]), 0);
    w.pay(
        &w.bureau_payments("B-001"),
        Some("partial-5"),
        json!({"method": "transfer", "amount_cents": 1}),
    )
    .await
    .assert_problem(422, "nothing_to_pay");
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn webhooks_need_a_valid_signature_and_are_processed_once() {
    let w = world().await;
    w.declare_everyone().await;
    let payment = w
        .pay(
            &w.bureau_payments("B-002"),
            Some("wh-1"),
            json!({"method": "card"}),
        )
        .await
        .json();
    let reference = payment["checkout_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("reference")
        .to_owned();
    let event = json!({
        "id": "evt_001",
        "type": "payment.succeeded",
        "payment_reference": reference,
        "amount_cents": 72_750,
        "currency": "EUR",
    })
    .to_string();

    w.webhook_raw("test", &event, None)
        .await
        .assert_problem(401, "invalid_signature");
    let forged = comptexpert::payments::webhook::sign(
        b"not-the-secret",
        chrono::Utc::now().timestamp(),
        event.as_bytes(),
    );
    w.webhook_raw("test", &event, Some(&forged))
        .await
        .assert_problem(401, "invalid_signature");
    let tampered = signature_now(&event.replace("72750", "1"));
    w.webhook_raw("test", &event, Some(&tampered))
        .await
        .assert_problem(401, "invalid_signature");
    let stale = comptexpert::payments::webhook::sign(
        crate::helpers::WEBHOOK_SECRET.as_bytes(),
        chrono::Utc::now().timestamp() - 3600,
        event.as_bytes(),
    );
    w.webhook_raw("test", &event, Some(&stale))
        .await
        .assert_problem(401, "signature_expired");
    w.webhook_raw("stripe", &event, Some(&signature_now(&event)))
        .await
        .assert_problem(404, "provider_not_found");
    assert_eq!(
        cents(&w.row("B-002").await["balance"]),
        72_750,
        "nothing booked yet"
    );

    let signature = signature_now(&event);
    let accepted = w.webhook_raw("test", &event, Some(&signature)).await;
    assert_eq!(accepted.status.as_u16(), 200, "{}", accepted.json());
    assert_eq!(accepted.json()["status"], "confirmed");
    assert_eq!(accepted.json()["outcome"], "applied");
    assert_eq!(accepted.json()["event_id"], "evt_001");
    w.webhook_raw("test", &event, Some(&signature))
        .await
        .assert_problem(409, "webhook_replayed");
    // A new notification of the same success books nothing more.
    let again = event.replace("evt_001", "evt_002");
    let repeated = w
        .webhook_raw("test", &again, Some(&signature_now(&again)))
        .await;
    assert_eq!(repeated.status.as_u16(), 200);
    assert_eq!(cents(&w.row("B-002").await["balance"]), 0);
    let id = payment["id"].as_str().expect("id");
    assert_eq!(Portal::of(&w.app).booked_for_payment(id), 72_750);

    // A failed card payment books nothing and frees what it reserved.
    let failing = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("wh-2"),
            json!({"method": "card"}),
        )
        .await
        .json();
    let failing_reference = failing["checkout_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("reference");
    let failure = w
        .webhook(
            "test",
            json!({"id": "evt_003", "type": "payment.failed", "payment_reference": failing_reference,
                   "amount_cents": 137_225, "currency": "EUR", "failure_reason": "card declined"}),
        )
        .await;
    assert_eq!(failure.json()["status"], "failed");
    let late_success = w
        .webhook(
            "test",
            json!({"id": "evt_004", "type": "payment.succeeded", "payment_reference": failing_reference,
                   "amount_cents": 137_225, "currency": "EUR"}),
        )
        .await;
    // Refused but answered 200, so that the provider stops sending it; kept for the council.
    assert_eq!(late_success.status.as_u16(), 200);
    assert_eq!(late_success.json()["outcome"], "not_pending");
    assert_eq!(late_success.json()["status"], "failed");
    assert_eq!(cents(&w.row("B-001").await["balance"]), 137_225);
    let retried = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("wh-3"),
            json!({"method": "transfer"}),
        )
        .await;
    assert_eq!(cents(&retried.json()["amount"]), 137_225);
    let mismatch = w
        .webhook(
            "bank",
            json!({"id": "bank-1", "type": "payment.succeeded",
                   "payment_reference": retried.json()["transfer_reference"], "amount_cents": 100, "currency": "EUR"}),
        )
        .await;
    assert_eq!(mismatch.status.as_u16(), 200);
    assert_eq!(mismatch.json()["outcome"], "amount_mismatch");
    assert_eq!(mismatch.json()["status"], "pending", "nothing booked");
    let unknown = w
        .webhook(
            "bank",
            json!({"id": "bank-2", "type": "payment.succeeded",
                   "payment_reference": "CE-NOBODY", "amount_cents": 100, "currency": "EUR"}),
        )
        .await;
    assert_eq!(unknown.status.as_u16(), 200);
    assert_eq!(unknown.json()["outcome"], "unknown_payment");
    assert_eq!(unknown.json()["payment_id"], serde_json::Value::Null);
    // Each refusal is kept, with what the council needs to handle it; none is lost with its own
    // rollback any more.
    let pool = comptexpert::db::build_pool(&w.app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let refused = comptexpert::db::payments::WebhookEvent::refused(&mut conn, 10).expect("kept");
    let mut kept: Vec<(&str, &str)> = refused
        .iter()
        .map(|e| (e.event_id.as_str(), e.outcome.as_str()))
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        vec![
            ("bank-1", "amount_mismatch"),
            ("bank-2", "unknown_payment"),
            ("evt_004", "not_pending"),
        ]
    );
    let mismatch_record = refused
        .iter()
        .find(|e| e.event_id == "bank-1")
        .expect("kept");
    assert_eq!(
        mismatch_record.detail.as_deref(),
        Some("100 cents received for a payment of 137225 cents")
    );
    assert_eq!(
        mismatch_record.payment_reference.as_ref(),
        retried.json()["transfer_reference"]
            .as_str()
            .map(str::to_owned)
            .as_ref()
    );
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn documents_are_pdf_and_hidden_from_those_who_cannot_see_the_bureau() {
    let w = world().await;
    w.declare_everyone().await;
    let payment = w
        .pay(
            &w.firm_payments(),
            Some("doc-1"),
            json!({"method": "transfer", "amount_cents": 60_000}),
        )
        .await
        .json();
    let id = payment["id"].as_str().expect("id").to_owned();
    let receipt_path = format!("/v1/portal/regions/{PARIS}/payments/{id}/receipt");
    w.get(&receipt_path)
        .await
        .assert_problem(409, "payment_not_confirmed");
    w.confirm(&payment).await;

    let receipt = w.get(&receipt_path).await;
    assert_eq!(receipt.status.as_u16(), 200);
    assert_eq!(
        receipt.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert!(receipt.body.starts_with(b"%PDF"));
    assert!(receipt
        .header("content-disposition")
        .is_some_and(|d| d.contains(".pdf")));
    // French text in the standard fonts' encoding (WinAnsi), which the PDF writes as a hex
    // string when it is not plain ASCII.
    let contains = |haystack: &[u8], needle: &str| {
        let encoded = comptexpert::documents::pdf::win_ansi(needle);
        let written = if encoded.is_ascii() {
            encoded
        } else {
            hex::encode_upper(&encoded).into_bytes()
        };
        haystack
            .windows(written.len())
            .any(|w| w == written.as_slice())
    };
    assert!(contains(&receipt.body, "Reçu de paiement"));
    assert!(contains(&receipt.body, "600,00\u{a0}€"));

    let call = w
        .get(&format!(
            "/v1/portal/regions/{PARIS}/bureaux/B-001/documents/call-for-contributions"
        ))
        .await;
    assert_eq!(call.status.as_u16(), 200);
    assert!(call.body.starts_with(b"%PDF"));
    assert!(contains(&call.body, "Appel de cotisations 2026"));
    assert!(
        contains(&call.body, "1\u{a0}372,25\u{a0}€"),
        "the total of B-001"
    );

    let documents = w
        .get(&format!(
            "/v1/portal/regions/{PARIS}/bureaux/B-001/documents"
        ))
        .await
        .json();
    let kinds: Vec<&str> = documents["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["call_for_contributions", "receipt"]);
    assert_eq!(documents["items"][1]["href"], receipt_path.as_str());

    // Someone who may not see the bureaux: the same 404 as for what does not exist.
    w.get_as(&w.outsider_token, &receipt_path)
        .await
        .assert_problem(404, "payment_not_found");
    w.get_as(
        &w.outsider_token,
        &format!("/v1/portal/regions/{PARIS}/payments/{id}"),
    )
    .await
    .assert_problem(404, "payment_not_found");
    w.get_as(
        &w.outsider_token,
        &format!("/v1/portal/regions/{PARIS}/bureaux/B-001/documents/call-for-contributions"),
    )
    .await
    .assert_problem(404, "bureau_not_found");
    w.get_as(
        &w.outsider_token,
        &format!("/v1/portal/regions/{PARIS}/bureaux/B-001/documents"),
    )
    .await
    .assert_problem(404, "bureau_not_found");
    w.app
        .get(&receipt_path)
        .await
        .assert_problem(401, "token_missing");
    let _ = w.send(Method::GET, "/v1/me", None).await;
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn without_a_provider_only_transfers_are_offered_and_without_a_secret_no_webhook_is_accepted()
{
    let w = world_with(|settings| {
        settings.payment_provider = "none".into();
        settings.payment_webhook_secret = None;
    })
    .await;
    w.declare_everyone().await;
    w.pay(
        &w.bureau_payments("B-001"),
        Some("none-1"),
        json!({"method": "card"}),
    )
    .await
    .assert_problem(422, "payment_method_unavailable");
    let transfer = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("none-2"),
            json!({"method": "transfer"}),
        )
        .await;
    assert_eq!(transfer.status.as_u16(), 201, "{}", transfer.json());
    let event = json!({"id": "e", "type": "payment.succeeded", "currency": "EUR",
        "payment_reference": transfer.json()["transfer_reference"], "amount_cents": 137_225})
    .to_string();
    w.webhook_raw("bank", &event, Some(&signature_now(&event)))
        .await
        .assert_problem(503, "webhooks_disabled");
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn a_pending_transfer_reserves_its_amount_and_gives_its_instructions_until_the_bank_confirms_it(
) {
    let w = world_with(|settings| {
        settings.transfer_account = comptexpert::config::TransferAccount {
            iban: comptexpert::domain::iban::Iban::parse("FR76 3000 6000 0112 3456 7890 189")
                .expect("IBAN"),
            bic: "AGRIFRPPXXX".into(),
            beneficiary: "CROEC Paris Ile-de-France".into(),
            is_demo: false,
        };
    })
    .await;
    w.declare_everyone().await;
    let created = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("transfer-1"),
            json!({"method": "transfer", "amount_cents": 50_000}),
        )
        .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.json());
    let payment = created.json();
    let id = payment["id"].as_str().expect("id").to_owned();
    let reference = payment["transfer_reference"]
        .as_str()
        .expect("reference")
        .to_owned();
    let document = format!("/v1/portal/regions/{PARIS}/payments/{id}/transfer-instructions");
    let instructions = &payment["transfer_instructions"];
    assert_eq!(instructions["iban"], "FR7630006000011234567890189");
    assert_eq!(instructions["bic"], "AGRIFRPPXXX");
    assert_eq!(instructions["beneficiary"], "CROEC Paris Ile-de-France");
    assert_eq!(instructions["reference_to_quote"], reference.as_str());
    assert_eq!(cents(&instructions["amount"]), 50_000);
    assert_eq!(instructions["document_url"], document.as_str());
    assert_eq!(payment["provider_reference"], reference.as_str());

    // Reserved, not booked: the Solde stays, what can be paid now drops, on every view.
    let row = w.row("B-001").await;
    assert_eq!(
        (
            cents(&row["balance"]),
            cents(&row["pending"]),
            cents(&row["payable"])
        ),
        (137_225, 50_000, 87_225)
    );
    let firm = w.firm("F-001").await;
    assert_eq!(
        (
            cents(&firm["grouped_amount"]),
            cents(&firm["totals"]["pending"]),
            cents(&firm["totals"]["payable"])
        ),
        (209_975, 50_000, 159_975)
    );
    let detail = w
        .get(&format!("/v1/portal/regions/{PARIS}/bureaux/B-001"))
        .await
        .json();
    assert_eq!(
        (cents(&detail["pending"]), cents(&detail["payable"])),
        (50_000, 87_225)
    );
    assert_eq!(cents(&w.row("B-002").await["pending"]), 0);
    w.assert_ledger_agrees().await;

    // "Virement en attente" among the bureau's documents, as a PDF naming the account and the
    // reference, for whoever may see the payment.
    let documents = format!("/v1/portal/regions/{PARIS}/bureaux/B-001/documents");
    let listed = w.get(&documents).await.json();
    let pending: Vec<&Value> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|d| d["kind"] == "pending_transfer")
        .collect();
    assert_eq!(pending.len(), 1, "{listed}");
    assert_eq!(pending[0]["href"], document.as_str());
    assert_eq!(pending[0]["payment_id"], id.as_str());
    assert_eq!(cents(&pending[0]["amount"]), 50_000);
    let pdf = w.get(&document).await;
    assert_eq!(pdf.status.as_u16(), 200);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert!(pdf.body.starts_with(b"%PDF"));
    let shows = |text: &str| pdf.body.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(shows(&reference), "the reference to quote");
    assert!(shows("FR76 3000 6000 0112 3456 7890 189"), "the IBAN");
    w.get_as(&w.outsider_token, &document)
        .await
        .assert_problem(404, "payment_not_found");

    // Once the bank confirms: booked, no longer reserved, and the receipt replaces the
    // instructions.
    w.confirm(&payment).await;
    let row = w.row("B-001").await;
    assert_eq!(
        (
            cents(&row["balance"]),
            cents(&row["pending"]),
            cents(&row["payable"])
        ),
        (87_225, 0, 87_225)
    );
    let kinds: Vec<String> = w.get(&documents).await.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|d| d["kind"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(kinds, vec!["call_for_contributions", "receipt"]);
    let not_pending = w
        .get(&document)
        .await
        .assert_problem(409, "payment_not_pending");
    // One title per code (RFC 9457): the same as a late notification's.
    assert_eq!(not_pending["title"], "Paiement plus en attente");
    let confirmed = w
        .get(&format!("/v1/portal/regions/{PARIS}/payments/{id}"))
        .await
        .json();
    assert!(confirmed["transfer_instructions"].is_null());
    assert_eq!(confirmed["provider_reference"], reference.as_str());
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn a_payment_whose_process_died_before_answering_is_completed_or_replayed_not_paid_twice() {
    let w = world().await;
    w.declare_everyone().await;
    let path = w.bureau_payments("B-002");
    let first = w
        .pay(&path, Some("lease-1"), json!({"method": "transfer"}))
        .await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.json());
    let id = first.json()["id"].as_str().expect("id").to_owned();
    let mut p = Portal::of(&w.app);

    // Killed after the payment, before its answer was kept; the lease still runs: wait.
    p.as_if_killed("lease-1", false);
    w.pay(&path, Some("lease-1"), json!({"method": "transfer"}))
        .await
        .assert_problem(409, "idempotency_in_progress");

    // Past the lease, the retry takes the key over and answers with the payment made.
    p.as_if_killed("lease-1", true);
    let replayed = w
        .pay(&path, Some("lease-1"), json!({"method": "transfer"}))
        .await;
    assert_eq!(replayed.status.as_u16(), 201, "{}", replayed.json());
    assert_eq!(replayed.json()["id"], id.as_str());
    assert_eq!(
        replayed.json()["transfer_reference"],
        first.json()["transfer_reference"]
    );
    assert_eq!(p.payment_count(), 1, "paid once");

    // Killed before the provider answered: the retry starts the provider for that payment.
    p.as_if_provider_never_answered(&id);
    p.as_if_killed("lease-1", true);
    let completed = w
        .pay(&path, Some("lease-1"), json!({"method": "transfer"}))
        .await;
    assert_eq!(completed.status.as_u16(), 201, "{}", completed.json());
    assert_eq!(completed.json()["id"], id.as_str());
    assert!(completed.json()["transfer_reference"].is_string());
    assert_eq!(p.payment_count(), 1, "paid once");
    // And from then on the answer is kept: a retry replays it.
    let again = w
        .pay(&path, Some("lease-1"), json!({"method": "transfer"}))
        .await;
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    w.assert_ledger_agrees().await;
}

#[actix_web::test]
async fn a_pending_payment_can_be_cancelled_or_expire_and_the_dashboard_frees_its_amount() {
    let w = world_with(|settings| settings.payment_expiry.card = chrono::Duration::hours(1)).await;
    w.declare_everyone().await;
    let transfer = w
        .pay(
            &w.bureau_payments("B-001"),
            Some("to-cancel"),
            json!({"method": "transfer", "amount_cents": 50_000}),
        )
        .await;
    assert_eq!(transfer.status.as_u16(), 201, "{}", transfer.json());
    let transfer = transfer.json();
    let created =
        chrono::DateTime::parse_from_rfc3339(transfer["created_at"].as_str().expect("created"))
            .expect("a time");
    let expires =
        chrono::DateTime::parse_from_rfc3339(transfer["expires_at"].as_str().expect("expires"))
            .expect("a time");
    assert_eq!(expires - created, chrono::Duration::days(30));
    assert_eq!(cents(&w.row("B-001").await["pending"]), 50_000);

    let w = &w;
    let cancel = |id: String| async move {
        let path = format!("/v1/portal/regions/{PARIS}/payments/{id}/cancel");
        w.app
            .send(w.app.authed(Method::POST, &path, &w.token), None)
            .await
    };
    let id = transfer["id"].as_str().expect("id");
    let outsider = w
        .app
        .send(
            w.app.authed(
                Method::POST,
                &format!("/v1/portal/regions/{PARIS}/payments/{id}/cancel"),
                &w.outsider_token,
            ),
            None,
        )
        .await;
    outsider.assert_problem(404, "payment_not_found");
    let cancelled = cancel(id.to_owned()).await;
    assert_eq!(cancelled.status.as_u16(), 200, "{}", cancelled.json());
    let cancelled = cancelled.json();
    assert_eq!(cancelled["status"], "failed");
    assert_eq!(cancelled["failure_reason"], "cancelled");
    assert!(cancelled["expires_at"].is_null());
    assert!(cancelled["transfer_instructions"].is_null());
    let row = w.row("B-001").await;
    assert_eq!(
        (cents(&row["pending"]), cents(&row["payable"])),
        (0, 137_225)
    );
    cancel(id.to_owned())
        .await
        .assert_problem(409, "payment_not_pending");

    // A card checkout left unfinished: the sweeper fails it once its delay has run out.
    let card = w
        .pay(
            &w.bureau_payments("B-002"),
            Some("left-unfinished"),
            json!({"method": "card"}),
        )
        .await
        .json();
    let card_id = card["id"].as_str().expect("id").to_owned();
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(card[field].as_str().expect(field)).expect("a time")
    };
    assert_eq!(
        at("expires_at") - at("created_at"),
        chrono::Duration::hours(1),
        "as configured"
    );
    assert_eq!(cents(&w.row("B-002").await["pending"]), 72_750);
    Portal::of(&w.app).as_if_overdue(&card_id);
    let path = format!("/v1/portal/regions/{PARIS}/payments/{card_id}");
    let mut swept = Value::Null;
    for _ in 0..100 {
        swept = w.get(&path).await.json();
        if swept["status"] != "pending" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(swept["status"], "failed", "{swept}");
    assert_eq!(swept["failure_reason"], "expired");
    let row = w.row("B-002").await;
    assert_eq!(
        (cents(&row["pending"]), cents(&row["payable"])),
        (0, 72_750)
    );
    w.assert_ledger_agrees().await;
}
