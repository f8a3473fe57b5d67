//! The logs as an operator reads them (`LOG_FORMAT=json`): every line written while a request is
//! handled names it, through the `request` span (request id, method, route pattern).

use serde_json::{json, Value};

use crate::{
    helpers::WEBHOOK_SECRET, payments_world::signature_now, service_process::ServiceProcess,
};

#[actix_web::test]
async fn every_line_of_a_request_carries_its_request_id_and_route() {
    let client = awc::Client::default();
    let service = ServiceProcess::start(
        &client,
        &[
            ("LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
            ("PAYMENT_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ],
    )
    .await;
    // A verified notification for a payment nobody made: refused, kept, and logged from
    // inside the handler (after its database work).
    let event = json!({
        "id": "evt_logs_1", "type": "payment.succeeded", "payment_reference": "COT-INCONNU",
        "amount_cents": 1000, "currency": "EUR",
    })
    .to_string();
    let refused = client
        .post(format!("{}/v1/payments/webhooks/bank", service.address))
        .insert_header(("X-Request-Id", "suivi-0042"))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("ComptExpert-Signature", signature_now(&event)))
        .send_body(event)
        .await
        .expect("an answer");
    assert_eq!(refused.status().as_u16(), 200);
    let logs = service.stop();
    let lines: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .filter(|line: &Value| line["span"]["request_id"] == "suivi-0042")
        .collect();
    let messages: Vec<&str> = lines
        .iter()
        .filter_map(|line| line["fields"]["message"].as_str())
        .collect();
    // The refusal is logged from inside the handler, the request line at the end: both in the span.
    assert!(
        messages.contains(&"payment notification refused, kept for the regional council"),
        "{logs}"
    );
    assert!(messages.contains(&"request"), "{logs}");
    let last = lines.last().expect("lines of the request");
    assert_eq!(last["span"]["route"], "/v1/payments/webhooks/{provider}");
    assert_eq!(last["span"]["method"], "POST");
}
