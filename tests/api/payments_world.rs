//! The world of the declaration and payment tests: one firm with two bureaux in Paris (open
//! campaign, barème loaded) and one in Bretagne (closed campaign), managed by a RAC; another
//! firm's bureau managed by someone else; and the requests these tests send.

use awc::http::Method;
use serde_json::{json, Value};

pub use crate::portal_fixtures::{cents, BRETAGNE, PARIS};
use crate::{
    fixtures::{MemberSpec, TestAccount},
    helpers::{TestApp, TestResponse, WEBHOOK_SECRET},
    portal_fixtures::{luc, Person, Portal, WorldBuilder},
};

/// The barème of the tests (amounts in cents, rates in percent).
pub const SCALES: &str = "\
region_code,campaign_year,pp_independant_cents,pp_salarie_cents,pp_83ter_percent,pp_83quater_percent,new_member_year1_reduction_percent,new_member_year2_reduction_percent,bureau_fixed_cents,pm_fixed_cents,pm_per_head_cents
paris-ile-de-france,2026,45000,38000,70,50,50,25,30000,20000,1250
bretagne,2026,40000,35000,70,50,50,25,25000,15000,1000
";

pub struct World {
    pub app: TestApp,
    pub rac: TestAccount,
    pub token: String,
    pub outsider_token: String,
    pub paris: String,
    /// Persons: Marie, Luc and the firm in B-001; Zoé (registered this year) and the firm in
    /// B-002; Marie in B-004 (Bretagne).
    pub marie: String,
    pub luc: String,
    pub firm_b1: String,
    pub zoe: String,
    pub firm_b2: String,
    pub marie_bretagne: String,
}

pub async fn world() -> World {
    world_with(|_| {}).await
}

/// The world, on an application whose settings `customise` adjusted.
pub async fn world_with(customise: impl FnOnce(&mut comptexpert::config::Settings)) -> World {
    let mut w = WorldBuilder::with_settings(customise).await;
    let marie = w.member(MemberSpec::default());
    let luc = w.member(luc());
    let zoe = w.member(MemberSpec {
        supra_number: "33333333",
        last_name: "Petit",
        first_name: "Zoé",
        email: "zoe@ex.fr",
        ..MemberSpec::default()
    });
    w.member(MemberSpec {
        supra_number: "44444444",
        last_name: "Lefèvre",
        first_name: "Paul",
        email: "paul@ex.fr",
        ..MemberSpec::default()
    });
    let rac = w.account("rac.pay", "rac@cabinet.fr");
    let outsider = w.account("rac.autre", "autre@cabinet.fr");
    w.portal().registration_year(&zoe, 2026);
    let paris = w.campaign(PARIS, 2026, true);
    w.campaign(BRETAGNE, 2026, false);
    w.firm("F-001", "Cabinet Durand & Associés");
    w.bureau("B-001", "F-001", PARIS, true);
    w.bureau("B-002", "F-001", PARIS, false);
    w.bureau("B-004", "F-001", BRETAGNE, false);
    w.firm("F-009", "Autre Cabinet");
    w.bureau("B-009", "F-009", PARIS, true);
    w.grant(&["B-001", "B-002", "B-004"], &rac);
    w.grant(&["B-009"], &outsider);
    let (paris_2026, bretagne_2026) = ((PARIS, 2026), (BRETAGNE, 2026));
    let marie_b1 = w.attach(paris_2026, "B-001", Person::Member(&marie), "to_declare");
    let luc_b1 = w.attach(paris_2026, "B-001", Person::Member(&luc), "to_declare");
    let firm_b1 = w.attach(paris_2026, "B-001", Person::Firm("F-001"), "to_declare");
    let zoe_b2 = w.attach(paris_2026, "B-002", Person::Member(&zoe), "to_declare");
    let firm_b2 = w.attach(paris_2026, "B-002", Person::Firm("F-001"), "to_declare");
    let marie_b4 = w.attach(bretagne_2026, "B-004", Person::Member(&marie), "to_declare");
    w.portal().load_scales(SCALES);
    let app = w.build();
    let token = app.signed_in(&rac).await.0;
    let outsider_token = app.signed_in(&outsider).await.0;
    World {
        app,
        rac,
        token,
        outsider_token,
        paris,
        marie: marie_b1,
        luc: luc_b1,
        firm_b1,
        zoe: zoe_b2,
        firm_b2,
        marie_bretagne: marie_b4,
    }
}

pub fn person_path(region: &str, bureau: &str, person: &str) -> String {
    format!("/v1/portal/regions/{region}/bureaux/{bureau}/persons/{person}")
}

impl World {
    pub async fn get(&self, path: &str) -> TestResponse {
        self.get_as(&self.token, path).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> TestResponse {
        self.app
            .send(self.app.authed(Method::GET, path, token), None)
            .await
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> TestResponse {
        self.app
            .send(self.app.authed(method, path, &self.token), body)
            .await
    }

    /// `PUT …/declaration` (save a draft).
    pub async fn save(&self, bureau: &str, person: &str, body: Value) -> TestResponse {
        let path = format!("{}/declaration", person_path(PARIS, bureau, person));
        self.send(Method::PUT, &path, Some(body)).await
    }

    /// `POST …/declaration/submission`.
    pub async fn submit(&self, bureau: &str, person: &str) -> TestResponse {
        let path = format!(
            "{}/declaration/submission",
            person_path(PARIS, bureau, person)
        );
        self.send(Method::POST, &path, None).await
    }

    /// Saves and submits, asserting both succeed; returns the submitted declaration.
    pub async fn declare(&self, bureau: &str, person: &str, body: Value) -> Value {
        let saved = self.save(bureau, person, body).await;
        assert_eq!(saved.status.as_u16(), 200, "{}", saved.json());
        let submitted = self.submit(bureau, person).await;
        assert_eq!(submitted.status.as_u16(), 200, "{}", submitted.json());
        submitted.json()
    }

    /// Declares everyone of B-001 and B-002 (see the amounts in the tests).
    pub async fn declare_everyone(&self) {
        self.declare("B-001", &self.marie, json!({"category": "independant"}))
            .await;
        self.declare("B-001", &self.luc, json!({"category": "agc_83ter"}))
            .await;
        self.declare(
            "B-001",
            &self.firm_b1,
            json!({"average_headcount": "12.50"}),
        )
        .await;
        self.declare(
            "B-002",
            &self.zoe,
            json!({"category": "salarie", "new_member_year": 1}),
        )
        .await;
        self.declare("B-002", &self.firm_b2, json!({"average_headcount": "3"}))
            .await;
    }

    pub async fn dashboard(&self) -> Value {
        let response = self
            .get(&format!("/v1/portal/regions/{PARIS}/bureaux"))
            .await;
        assert_eq!(response.status.as_u16(), 200, "{}", response.json());
        response.json()
    }

    /// The dashboard row of a bureau.
    pub async fn row(&self, bureau: &str) -> Value {
        let dashboard = self.dashboard().await;
        dashboard["items"]
            .as_array()
            .expect("firms")
            .iter()
            .flat_map(|f| f["bureaux"].as_array().cloned().unwrap_or_default())
            .find(|b| b["ref"] == bureau)
            .expect("bureau on the dashboard")
    }

    /// The dashboard's group of a firm (its totals and Montant regroupé).
    pub async fn firm(&self, firm_ref: &str) -> Value {
        let dashboard = self.dashboard().await;
        dashboard["items"]
            .as_array()
            .expect("firms")
            .iter()
            .find(|f| f["firm_ref"] == firm_ref)
            .cloned()
            .expect("firm on the dashboard")
    }

    /// `POST` a payment with an `Idempotency-Key` (none when `key` is `None`).
    pub async fn pay(&self, path: &str, key: Option<&str>, body: Value) -> TestResponse {
        let mut request = self.app.authed(Method::POST, path, &self.token);
        if let Some(key) = key {
            request = request.insert_header(("Idempotency-Key", key));
        }
        self.app.send(request, Some(body)).await
    }

    /// The grouped payment path of the firm.
    pub fn firm_payments(&self) -> String {
        format!("/v1/portal/regions/{PARIS}/firms/F-001/payments")
    }

    /// The payment path of a bureau.
    pub fn bureau_payments(&self, bureau: &str) -> String {
        format!("/v1/portal/regions/{PARIS}/bureaux/{bureau}/payments")
    }

    /// Posts a raw webhook body with an optional signature header.
    pub async fn webhook_raw(
        &self,
        provider: &str,
        body: &str,
        signature: Option<&str>,
    ) -> TestResponse {
        let mut request = self
            .app
            .request(Method::POST, &format!("/v1/payments/webhooks/{provider}"))
            .insert_header(("Content-Type", "application/json"));
        if let Some(signature) = signature {
            request = request.insert_header(("ComptExpert-Signature", signature));
        }
        let mut response = request
            .send_body(body.to_owned())
            .await
            .expect("the request reaches the server");
        let bytes = response.body().await.expect("body").to_vec();
        TestResponse {
            status: response.status(),
            headers: response.headers().clone(),
            body: bytes,
        }
    }

    /// Signs `event` now with the test secret and posts it.
    pub async fn webhook(&self, provider: &str, event: Value) -> TestResponse {
        let body = event.to_string();
        let signature = signature_now(&body);
        self.webhook_raw(provider, &body, Some(&signature)).await
    }

    /// Confirms a pending payment as its provider (or the bank feed) would.
    pub async fn confirm(&self, payment: &Value) {
        let (provider, reference) = match payment["transfer_reference"].as_str() {
            Some(reference) => ("bank", reference.to_owned()),
            None => (
                "test",
                payment["checkout_url"]
                    .as_str()
                    .and_then(|u| u.rsplit('/').next())
                    .expect("a checkout URL")
                    .to_owned(),
            ),
        };
        let response = self
            .webhook(
                provider,
                json!({
                    "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
                    "type": "payment.succeeded",
                    "payment_reference": reference,
                    "amount_cents": cents(&payment["amount"]),
                    "currency": "EUR",
                }),
            )
            .await;
        assert_eq!(response.status.as_u16(), 200, "{}", response.json());
        assert_eq!(response.json()["status"], "confirmed");
    }

    /// Every figure of the dashboard equals what the ledger entries and the pending payments'
    /// parts add up to, to the cent: each bureau's Total, Solde, pending and payable, each firm's
    /// Montant regroupé and totals, the region's.
    pub async fn assert_ledger_agrees(&self) {
        let dashboard = self.dashboard().await;
        let mut p = Portal::of(&self.app);
        let (mut all_total, mut all_balance, mut all_pending, mut all_payable) = (0, 0, 0, 0);
        for firm in dashboard["items"].as_array().expect("firms") {
            let (mut firm_total, mut firm_balance, mut firm_pending) = (0, 0, 0);
            for row in firm["bureaux"].as_array().expect("bureaux") {
                let bureau = row["ref"].as_str().expect("ref");
                let (total, balance) = p.ledger_figures(&self.paris, bureau);
                let pending = p.reserved_by_pending(&self.paris, bureau);
                assert_eq!(cents(&row["total"]), total, "Total of {bureau}");
                assert_eq!(cents(&row["balance"]), balance, "Solde of {bureau}");
                assert_eq!(cents(&row["pending"]), pending, "pending of {bureau}");
                assert_eq!(
                    cents(&row["payable"]),
                    (balance - pending).max(0),
                    "payable of {bureau}"
                );
                assert!(row.get("grouped_amount").is_none(), "on the firm only");
                firm_total += total;
                firm_balance += balance;
                firm_pending += pending;
            }
            let firm_payable = (firm_balance - firm_pending).max(0);
            assert_eq!(
                cents(&firm["grouped_amount"]),
                firm_balance.max(0),
                "Montant regroupé"
            );
            assert_eq!(cents(&firm["totals"]["total"]), firm_total);
            assert_eq!(cents(&firm["totals"]["balance"]), firm_balance);
            assert_eq!(cents(&firm["totals"]["pending"]), firm_pending);
            assert_eq!(cents(&firm["totals"]["payable"]), firm_payable);
            all_total += firm_total;
            all_balance += firm_balance;
            all_pending += firm_pending;
            all_payable += firm_payable;
        }
        assert_eq!(cents(&dashboard["totals"]["total"]), all_total);
        assert_eq!(cents(&dashboard["totals"]["balance"]), all_balance);
        assert_eq!(cents(&dashboard["totals"]["pending"]), all_pending);
        assert_eq!(cents(&dashboard["totals"]["payable"]), all_payable);
    }
}

/// The signature header of `body`, signed now with the test secret.
pub fn signature_now(body: &str) -> String {
    comptexpert::payments::webhook::sign(
        WEBHOOK_SECRET.as_bytes(),
        chrono::Utc::now().timestamp(),
        body.as_bytes(),
    )
}
