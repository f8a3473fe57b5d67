//! Behind a reverse proxy (`TRUSTED_PROXIES`): the per-address limits and the security history
//! count each client under the address the proxy forwards, and a forwarding header from anyone
//! else changes nothing. The test client plays the proxy (it connects from 127.0.0.1).

use awc::http::Method;
use comptexpert::proxies::{ForwardedHeader, TrustedProxies};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// The recovery limit per client address (`limits::RECOVERY_PER_CLIENT`).
const RECOVERIES_PER_CLIENT: usize = 20;

async fn recovery_from(app: &TestApp, forwarded_for: &str, n: usize) -> u16 {
    let request = app
        .request(Method::POST, "/v1/recovery")
        .insert_header(("X-Forwarded-For", forwarded_for));
    // A new address each time: the per-email limit stays out of the way.
    let body = json!({"email": format!("personne{n}@cabinet.fr")});
    app.send(request, Some(body)).await.status.as_u16()
}

async fn last_sign_in_address(app: &TestApp, header: (&str, &str)) -> Value {
    let request = app
        .request(Method::POST, "/v1/sessions")
        .insert_header(header);
    let signed_in = app
        .send(
            request,
            Some(json!({"identifier": "j.martin", "password": "Rac-2026!"})),
        )
        .await;
    assert_eq!(signed_in.status.as_u16(), 201);
    let access = signed_in.json()["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    let history = app
        .send(
            app.authed(Method::GET, "/v1/me/security-events?limit=1", &access),
            None,
        )
        .await
        .json();
    history["items"][0]["client_address"].clone()
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_is_limited_and_recorded_under_its_own_address() {
    let app = spawn_app_with(|settings| {
        settings.trusted_proxies =
            TrustedProxies::parse("127.0.0.1, 10.0.0.0/8", ForwardedHeader::XForwardedFor)
                .expect("a proxy list");
    })
    .await;
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");

    for n in 0..RECOVERIES_PER_CLIENT {
        assert_eq!(recovery_from(&app, "203.0.113.1", n).await, 202);
    }
    assert_eq!(
        recovery_from(&app, "203.0.113.1", 99).await,
        429,
        "the same client, over its limit"
    );
    assert_eq!(
        recovery_from(&app, "203.0.113.2", 100).await,
        202,
        "another client behind the same proxy has its own limit"
    );
    // What a client writes itself, left of what the proxy appended, does not count: this is
    // still 203.0.113.1, over its limit.
    assert_eq!(
        recovery_from(&app, "198.51.100.50, 203.0.113.1", 101).await,
        429
    );
    // Through a second trusted proxy (10.0.0.2): the client is the hop before it.
    assert_eq!(recovery_from(&app, "203.0.113.1, 10.0.0.2", 102).await, 429);

    assert_eq!(
        last_sign_in_address(&app, ("X-Forwarded-For", "6.6.6.6, 198.51.100.7")).await,
        "198.51.100.7"
    );
}

#[actix_web::test]
async fn the_rfc_7239_header_is_read_when_the_proxy_writes_it_and_only_then() {
    let app = spawn_app_with(|settings| {
        settings.trusted_proxies =
            TrustedProxies::parse("127.0.0.1", ForwardedHeader::Forwarded).expect("a proxy list");
    })
    .await;
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    assert_eq!(
        last_sign_in_address(
            &app,
            ("Forwarded", "for=\"[2001:db8::7]:4711\";proto=https")
        )
        .await,
        "2001:db8::7"
    );
    // The other header, which this proxy would not strip, is a client's word: ignored.
    assert_eq!(
        last_sign_in_address(&app, ("X-Forwarded-For", "198.51.100.7")).await,
        "127.0.0.1"
    );
}

#[actix_web::test]
async fn without_trusted_proxies_a_forwarded_header_changes_nothing() {
    let app = spawn_app().await;
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    for n in 0..RECOVERIES_PER_CLIENT {
        let forged = format!("203.0.113.{n}");
        assert_eq!(recovery_from(&app, &forged, n).await, 202);
    }
    assert_eq!(
        recovery_from(&app, "198.51.100.99", 99).await,
        429,
        "a new forged address does not buy a new limit"
    );
    assert_eq!(
        last_sign_in_address(&app, ("X-Forwarded-For", "198.51.100.7")).await,
        "127.0.0.1"
    );
}
