//! Amounts past 32-bit cents (21 474 836,47 €): each entry of the ledger fits in 32 bits, the
//! balance of a bureau or a firm does not, and it is shown and paid to the cent; a payment above
//! the stated maximum of one payment (`MAX_PAYMENT_CENTS`) is a 422 `amount_too_large`.

use awc::http::Method;
use serde_json::{json, Value};

use comptexpert::domain::money::MAX_PAYMENT_CENTS;

use crate::{
    fixtures::MemberSpec,
    helpers::{TestApp, TestResponse},
    payments_world::signature_now,
    portal_fixtures::{cents, Person, Portal, WorldBuilder, PARIS},
};

/// 20 000 000,00 €: one charge, below the 32-bit maximum.
const TWENTY_MILLION: i64 = 2_000_000_000;
/// The largest value 32-bit cents held (21 474 836,47 €).
const OLD_MAXIMUM: i64 = i32::MAX as i64;

/// One firm with two bureaux in Paris (open campaign), managed by a RAC.
struct World {
    app: TestApp,
    token: String,
    campaign: String,
}

/// B-001 owes its fixed part and `marie_charges` charges of 20 million euros for Marie; B-002
/// owes two for the firm as a legal person.
async fn world(marie_charges: usize) -> World {
    let mut w = WorldBuilder::new().await;
    let marie = w.member(MemberSpec::default());
    let rac = w.account("rac.millions", "rac@cabinet.fr");
    let campaign = w.campaign(PARIS, 2026, true);
    w.firm("F-001", "Cabinet Durand & Associés");
    w.bureau("B-001", "F-001", PARIS, true);
    w.bureau("B-002", "F-001", PARIS, false);
    w.grant(&["B-001", "B-002"], &rac);
    let paris = (PARIS, 2026);
    let marie = w.attach(paris, "B-001", Person::Member(&marie), "submitted");
    w.ledger(paris, "B-001", None, "charge", 30_000);
    for _ in 0..marie_charges {
        w.ledger(paris, "B-001", Some(&marie), "charge", TWENTY_MILLION);
    }
    let firm = w.attach(paris, "B-002", Person::Firm("F-001"), "submitted");
    for _ in 0..2 {
        w.ledger(paris, "B-002", Some(&firm), "charge", TWENTY_MILLION);
    }
    let app = w.build();
    let token = app.signed_in(&rac).await.0;
    World {
        app,
        token,
        campaign,
    }
}

impl World {
    async fn pay(&self, path: &str, key: &str, body: Value, lang: Option<&str>) -> TestResponse {
        let mut request = self
            .app
            .authed(Method::POST, path, &self.token)
            .insert_header(("Idempotency-Key", key));
        if let Some(lang) = lang {
            request = request.insert_header(("Accept-Language", lang));
        }
        self.app.send(request, Some(body)).await
    }

    async fn dashboard(&self) -> Value {
        let response = self
            .app
            .send(
                self.app.authed(
                    Method::GET,
                    &format!("/v1/portal/regions/{PARIS}/bureaux"),
                    &self.token,
                ),
                None,
            )
            .await;
        assert_eq!(response.status.as_u16(), 200, "{}", response.json());
        response.json()
    }

    async fn row(&self, bureau: &str) -> Value {
        self.dashboard().await["items"][0]["bureaux"]
            .as_array()
            .expect("bureaux")
            .iter()
            .find(|b| b["ref"] == bureau)
            .cloned()
            .expect("the bureau on the dashboard")
    }

    /// Confirms a pending transfer as the bank feed does.
    async fn confirm(&self, payment: &Value) {
        let event = json!({
            "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
            "type": "payment.succeeded",
            "payment_reference": payment["transfer_reference"],
            "amount_cents": cents(&payment["amount"]),
            "currency": "EUR",
        })
        .to_string();
        let mut response = self
            .app
            .request(Method::POST, "/v1/payments/webhooks/bank")
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("ComptExpert-Signature", signature_now(&event)))
            .send_body(event)
            .await
            .expect("the request reaches the server");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(response.status().as_u16(), 200, "{body}");
        assert_eq!(body["status"], "confirmed");
    }
}

fn bureau_payments(bureau: &str) -> String {
    format!("/v1/portal/regions/{PARIS}/bureaux/{bureau}/payments")
}

fn firm_payments() -> String {
    format!("/v1/portal/regions/{PARIS}/firms/F-001/payments")
}

fn parts_sum(payment: &Value) -> i64 {
    payment["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| cents(&a["amount"]))
        .sum()
}

#[actix_web::test]
async fn balances_past_32_bit_cents_are_shown_and_paid_to_the_cent() {
    let w = world(3).await;
    // 300,00 € + 3 × 20 000 000,00 € = 60 000 300,00 €, almost three times the old maximum.
    let b1_total = 30_000 + 3 * TWENTY_MILLION;
    let b2_total = 2 * TWENTY_MILLION;
    assert!(b1_total > OLD_MAXIMUM && b2_total > OLD_MAXIMUM);
    let b1 = w.row("B-001").await;
    assert_eq!(cents(&b1["total"]), b1_total);
    assert_eq!(cents(&b1["balance"]), b1_total);
    assert_eq!(cents(&b1["payable"]), b1_total);
    let dashboard = w.dashboard().await;
    let firm = &dashboard["items"][0];
    assert_eq!(cents(&firm["grouped_amount"]), b1_total + b2_total);
    assert_eq!(cents(&dashboard["totals"]["total"]), b1_total + b2_total);

    // Everything B-001 owes, in one payment: the old code failed here with a 500.
    let paid = w
        .pay(
            &bureau_payments("B-001"),
            "millions-1",
            json!({"method": "transfer"}),
            None,
        )
        .await;
    assert_eq!(paid.status.as_u16(), 201, "{}", paid.json());
    let payment = paid.json();
    assert_eq!(cents(&payment["amount"]), b1_total);
    assert_eq!(parts_sum(&payment), b1_total, "the parts add up to it");
    // Marie's part is her three charges together: one part of 60 million euros.
    assert_eq!(
        cents(&payment["allocations"][1]["amount"]),
        3 * TWENTY_MILLION
    );
    assert_eq!(
        payment["transfer_instructions"]["amount"]["amount_cents"],
        json!(b1_total)
    );
    assert_eq!(cents(&w.row("B-001").await["pending"]), b1_total);
    assert_eq!(cents(&w.row("B-001").await["payable"]), 0);

    w.confirm(&payment).await;
    let id = payment["id"].as_str().expect("id");
    let mut portal = Portal::of(&w.app);
    assert_eq!(portal.booked_for_payment(id), b1_total);
    assert_eq!(portal.ledger_figures(&w.campaign, "B-001"), (b1_total, 0));
    let b1 = w.row("B-001").await;
    assert_eq!((cents(&b1["total"]), cents(&b1["balance"])), (b1_total, 0));

    // The firm's grouped payment: what remains, B-002's 40 million euros.
    let grouped = w
        .pay(
            &firm_payments(),
            "millions-2",
            json!({"method": "transfer"}),
            None,
        )
        .await;
    assert_eq!(grouped.status.as_u16(), 201, "{}", grouped.json());
    let grouped = grouped.json();
    assert_eq!(cents(&grouped["amount"]), b2_total);
    assert_eq!(parts_sum(&grouped), b2_total);
    let dashboard = w.dashboard().await;
    assert_eq!(
        cents(&dashboard["totals"]["total"]),
        b1_total + b2_total,
        "the region's Total, exact"
    );
    assert_eq!(cents(&dashboard["totals"]["pending"]), b2_total);
    assert_eq!(cents(&dashboard["totals"]["payable"]), 0);
}

#[actix_web::test]
async fn a_payment_above_the_maximum_is_a_422_amount_too_large_in_french_or_english() {
    // 51 charges of 20 million euros: 1 020 000 000,00 € (and 300,00 €), past the maximum.
    let w = world(51).await;
    let owed = 30_000 + 51 * TWENTY_MILLION;
    assert!(owed > MAX_PAYMENT_CENTS);
    assert_eq!(cents(&w.row("B-001").await["payable"]), owed);

    // Everything that remains is more than one payment may be.
    let refused = w
        .pay(
            &bureau_payments("B-001"),
            "too-large-1",
            json!({"method": "transfer"}),
            None,
        )
        .await;
    assert_eq!(refused.header("content-language").as_deref(), Some("fr"));
    let body = refused.assert_problem(422, "amount_too_large");
    assert_eq!(body["title"], "Montant trop élevé");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("1\u{a0}000\u{a0}000\u{a0}000,00\u{a0}€") && detail.contains("plusieurs"),
        "{detail}"
    );
    assert!(body.get("payable_cents").is_none(), "{body}");

    let refused = w
        .pay(
            &firm_payments(),
            "too-large-2",
            json!({"method": "transfer"}),
            Some("en"),
        )
        .await;
    assert_eq!(refused.header("content-language").as_deref(), Some("en"));
    let body = refused.assert_problem(422, "amount_too_large");
    assert_eq!(body["title"], "Amount too large");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("€1,000,000,000.00"), "{detail}");

    // A given amount above it, even the largest a request can carry, is refused the same way.
    for (key, amount) in [
        ("too-large-3", MAX_PAYMENT_CENTS + 1),
        ("too-large-4", i64::MAX),
    ] {
        w.pay(
            &bureau_payments("B-001"),
            key,
            json!({"method": "transfer", "amount_cents": amount}),
            None,
        )
        .await
        .assert_problem(422, "amount_too_large");
    }
    assert_eq!(Portal::of(&w.app).payment_count(), 0, "nothing reserved");

    // The maximum itself is a partial payment; the rest can then be paid in one.
    let first = w
        .pay(
            &bureau_payments("B-001"),
            "largest",
            json!({"method": "transfer", "amount_cents": MAX_PAYMENT_CENTS}),
            None,
        )
        .await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.json());
    assert_eq!(cents(&first.json()["amount"]), MAX_PAYMENT_CENTS);
    assert_eq!(parts_sum(&first.json()), MAX_PAYMENT_CENTS);
    let rest = w
        .pay(
            &bureau_payments("B-001"),
            "the-rest",
            json!({"method": "transfer"}),
            None,
        )
        .await;
    assert_eq!(rest.status.as_u16(), 201, "{}", rest.json());
    assert_eq!(cents(&rest.json()["amount"]), owed - MAX_PAYMENT_CENTS);
    assert_eq!(cents(&w.row("B-001").await["pending"]), owed);
}
