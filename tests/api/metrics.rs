//! `GET /metrics` on its own listener (`METRICS_ADDR`): Prometheus' text format with the figures
//! an operator watches, and nothing of it on the public port.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

pub async fn scrape(app: &TestApp) -> String {
    let address = app.metrics_address.as_deref().expect("METRICS_ADDR is set");
    let mut response = app
        .client
        .get(format!("{address}/metrics"))
        .send()
        .await
        .expect("the metrics listener answers");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    String::from_utf8(response.body().await.expect("a body").to_vec()).expect("UTF-8")
}

/// The value of the series `series` (name and labels, as rendered), if present.
pub fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[actix_web::test]
async fn metrics_count_requests_sign_ins_and_the_pool_apart_from_the_api() {
    let app = spawn_app_with(|settings| {
        settings.metrics_addr = Some("127.0.0.1:0".parse().expect("an address"));
    })
    .await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let before = scrape(&app).await;
    let signed_in = r#"comptexpert_sign_ins_total{method="pwd",outcome="signed_in"}"#;
    let denied = r#"comptexpert_sign_ins_total{method="pwd",outcome="denied"}"#;
    let counted = |text: &str, series: &str| value(text, series).unwrap_or(0.0);

    app.signed_in(&account).await;
    app.sign_in("j.martin", "Wrong-2026!", false).await;
    let after = scrape(&app).await;
    // Other tests of this process count into the same recorder: at least ours.
    assert!(
        counted(&after, signed_in) >= counted(&before, signed_in) + 1.0,
        "{after}"
    );
    assert!(counted(&after, denied) >= counted(&before, denied) + 1.0);
    assert!(
        after.contains(
            r#"comptexpert_http_requests_total{method="POST",route="/v1/sessions",status="201"}"#
        ),
        "requests are counted by route pattern"
    );
    assert!(after.contains(
        r#"comptexpert_http_request_duration_seconds_bucket{route="/v1/sessions",le="0.1"}"#
    ));
    assert!(after.contains("# HELP comptexpert_sign_ins_total"));
    assert!(value(&after, r#"comptexpert_db_connections{state="idle"}"#).is_some());
    assert!(value(&after, r#"comptexpert_outbox_emails{state="pending"}"#).is_some());
    assert!(
        !after.contains("j.martin") && !after.contains("127.0.0.1"),
        "no identifier, no address"
    );

    let public = app.get("/metrics").await;
    assert_eq!(public.status.as_u16(), 404, "not on the public port");
}

#[actix_web::test]
async fn without_metrics_addr_no_listener_is_opened() {
    let app = spawn_app().await;
    assert!(app.metrics_address.is_none());
}
