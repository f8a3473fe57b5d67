//! The README's demo, walked through the API as its reader would: Marie Durand signs in, chooses
//! her Paris address, finds the demo's declarations already recorded, declares the newcomer,
//! pays by transfer, and downloads the call for contributions and the receipt.

use awc::http::Method;
use comptexpert::{
    db,
    register::demo::{self, DemoSpec, DEMO_PASSWORD, MEMBER_IDENTIFIER},
};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn_app, TestApp},
    payments_world::signature_now,
};

const PARIS: &str = "paris-ile-de-france";

/// A small demo register for a campaign year other than the barème file's own, so that the
/// barème is shown to follow the campaigns.
const SPEC: DemoSpec = DemoSpec {
    members: 300,
    campaign_year: 2031,
};

struct Walk {
    app: TestApp,
    token: String,
}

impl Walk {
    async fn start() -> Self {
        let app = spawn_app().await;
        let pool = db::build_pool(&app.database_url).expect("pool");
        demo::seed(&mut pool.get().expect("connection"), &SPEC).expect("the demo data");
        let signed_in = app.sign_in(MEMBER_IDENTIFIER, DEMO_PASSWORD, false).await;
        assert_eq!(signed_in.status.as_u16(), 201, "{}", signed_in.json());
        let token = signed_in.json()["access_token"]
            .as_str()
            .expect("a token")
            .to_owned();
        Self { app, token }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let response = self
            .app
            .send(self.app.authed(method, path, &self.token), body)
            .await;
        let json = if response.body.is_empty() || response.body.starts_with(b"%PDF") {
            Value::Null
        } else {
            response.json()
        };
        (response.status.as_u16(), json)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }

    async fn pdf(&self, path: &str) -> Vec<u8> {
        let response = self
            .app
            .send(self.app.authed(Method::GET, path, &self.token), None)
            .await;
        assert_eq!(response.status.as_u16(), 200, "{path}");
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/pdf")
        );
        assert!(response.body.starts_with(b"%PDF-"));
        response.body
    }
}

/// The text a PDF shows: its `Tj` strings, literal or hexadecimal (WinAnsi, read as Latin-1,
/// which agrees on every letter these documents use).
fn pdf_text(pdf: &[u8]) -> String {
    let content = String::from_utf8_lossy(pdf);
    content
        .lines()
        .filter_map(|line| line.strip_suffix(" Tj"))
        .map(|shown| {
            if let Some(hex) = shown.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                (0..hex.len() / 2)
                    .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                    .map(char::from)
                    .collect()
            } else {
                shown
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .to_owned()
            }
        })
        .collect::<Vec<String>>()
        .join("\n")
}

fn cents(money: &Value) -> i64 {
    money["amount_cents"].as_i64().expect("an amount in cents")
}

fn bureau(path: &str) -> String {
    format!("/v1/portal/regions/{PARIS}/bureaux/B0000001{path}")
}

#[actix_web::test]
async fn the_readme_demo_declares_pays_and_downloads_both_documents() {
    let walk = Walk::start().await;

    // Her Paris file holds another address: the portal asks her to choose first.
    let (status, problem) = walk.get(&bureau("")).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("email_conflict"))
    );
    let (status, _) = walk
        .send(
            Method::PUT,
            &format!("/v1/portal/regions/{PARIS}/email-choice"),
            Some(json!({"choice": "comptexpert"})),
        )
        .await;
    assert_eq!(status, 200);

    // Every person the demo marks as declared has the declaration that says so.
    let (status, detail) = walk.get(&bureau("")).await;
    assert_eq!(status, 200, "{detail}");
    let persons: Vec<Value> = ["natural_persons", "legal_persons"]
        .iter()
        .flat_map(|k| detail[k].as_array().cloned().unwrap_or_default())
        .collect();
    let submitted: Vec<&Value> = persons
        .iter()
        .filter(|p| p["declaration_state"] == "submitted")
        .collect();
    assert!(!submitted.is_empty(), "{detail}");
    for person in &submitted {
        assert_eq!(person["declaration"]["status"], "submitted", "{person}");
        assert_eq!(
            cents(&person["declaration"]["amount"]),
            cents(&person["amount_called"]),
            "{person}"
        );
        let id = person["id"].as_str().expect("an id");
        let (status, history) = walk
            .get(&bureau(&format!("/persons/{id}/declarations")))
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            history["items"].as_array().map(Vec::len),
            Some(1),
            "{history}"
        );
    }

    // The call for contributions answers, with the newcomer's long name in it (it never did).
    let call = walk.pdf(&bureau("/documents/call-for-contributions")).await;
    let text = pdf_text(&call);
    assert!(text.contains("D'ARTAGNAN-LEF"), "{text}");
    // "À déclarer" only for those still to declare, never beside a declared person's amount.
    let to_declare = persons.len() - submitted.len();
    assert_eq!(text.matches("À déclarer").count(), to_declare, "{text}");

    // The newcomer, Hélène D'Artagnan-Lefèvre, is still to declare: the demo barème of 2031 is
    // loaded, so her declaration is charged Paris's salarié amount.
    let helene = persons
        .iter()
        .find(|p| {
            p["name"]
                .as_str()
                .is_some_and(|n| n.to_uppercase().contains("ARTAGNAN"))
        })
        .expect("the newcomer is attached to B0000001");
    assert_eq!(helene["declaration_state"], "to_declare");
    let person = bureau(&format!(
        "/persons/{}/declaration",
        helene["id"].as_str().expect("an id")
    ));
    let (status, draft) = walk
        .send(Method::PUT, &person, Some(json!({"category": "salarie"})))
        .await;
    assert_eq!(status, 200, "{draft}");
    assert_eq!(cents(&draft["amount"]), 38_000);
    let (status, declared) = walk
        .send(Method::POST, &format!("{person}/submission"), None)
        .await;
    assert_eq!(
        (status, declared["status"].as_str()),
        (200, Some("submitted"))
    );

    // Pay the bureau's balance by transfer; the bank's signed notice confirms it.
    let (_, detail) = walk.get(&bureau("")).await;
    let balance = cents(&detail["balance"]);
    assert!(balance >= 38_000, "{detail}");
    let request = walk
        .app
        .authed(Method::POST, &bureau("/payments"), &walk.token)
        .insert_header(("Idempotency-Key", "demo-walk-1"));
    let payment = walk
        .app
        .send(request, Some(json!({"method": "transfer"})))
        .await;
    assert_eq!(payment.status.as_u16(), 201, "{}", payment.json());
    let payment = payment.json();
    assert_eq!(cents(&payment["amount"]), balance);
    let body = json!({
        "id": "evt_demo_walk",
        "type": "payment.succeeded",
        "payment_reference": payment["transfer_reference"],
        "amount_cents": balance,
        "currency": "EUR",
    })
    .to_string();
    let confirmed = walk
        .app
        .send(
            walk.app
                .request(Method::POST, "/v1/payments/webhooks/bank")
                .insert_header(("Content-Type", "application/json"))
                .insert_header(("ComptExpert-Signature", signature_now(&body))),
            Some(serde_json::from_str(&body).expect("json")),
        )
        .await;
    assert_eq!(confirmed.status.as_u16(), 200, "{}", confirmed.json());

    let (_, detail) = walk.get(&bureau("")).await;
    assert_eq!(cents(&detail["balance"]), 0);
    let (status, documents) = walk.get(&bureau("/documents")).await;
    assert_eq!(status, 200);
    let receipt = documents["items"]
        .as_array()
        .and_then(|items| items.iter().find(|d| d["kind"] == "receipt"))
        .and_then(|d| d["href"].as_str())
        .expect("a receipt is listed")
        .to_owned();
    walk.pdf(&receipt).await;
    walk.pdf(&bureau("/documents/call-for-contributions")).await;
}

#[actix_web::test]
async fn the_demo_barème_follows_the_campaigns_and_loading_it_again_calls_nothing_new() {
    let walk = Walk::start().await;
    let pool = db::build_pool(&walk.app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    for year in [2030, 2031] {
        let scale = db::scales::ScaleRow::find(&mut conn, PARIS, year)
            .expect("query")
            .expect("a barème for each demo campaign");
        assert_eq!(scale.bureau_fixed_cents, 30_000);
    }
    // The demo ledger already charges what the barème says: loading the file's figures for the
    // open campaign again changes no bureau's call.
    let csv = comptexpert::contributions::scale::DEMO_SCALES.replace(",2026,", ",2031,");
    let loaded = comptexpert::contributions::scale::load_csv(&mut conn, csv.as_bytes())
        .expect("the barème loads");
    assert_eq!(loaded.fixed_parts_called, 0);
}
