//! What every sign-in method must give: a normal session that refreshes, is listed, signs out.

use awc::http::Method;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::Value;

use crate::helpers::TestApp;

/// The claims of an access token (not verified: the server's own tests check signatures).
pub fn claims_of(access_token: &str) -> Value {
    let payload = access_token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

/// Asserts that a sign-in answer opened a session that behaves like a password one: its access
/// token carries `amr` = `[method]`, it is listed with that method, its refresh token rotates,
/// and signing out closes it.
pub async fn assert_behaves_like_a_password_session(app: &TestApp, tokens: &Value, method: &str) {
    let access = tokens["access_token"].as_str().expect("access token");
    let refresh = tokens["refresh_token"].as_str().expect("refresh token");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(claims_of(access)["amr"], serde_json::json!([method]));
    assert_eq!(
        claims_of(access)["sid"],
        tokens["session_id"],
        "the sid claim is the session id"
    );
    assert_eq!(app.me(access).await.status.as_u16(), 200);

    let listed = app
        .send(app.authed(Method::GET, "/v1/me/sessions", access), None)
        .await
        .json();
    let current: Vec<&Value> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|s| s["current"] == true)
        .collect();
    assert_eq!(current.len(), 1, "{listed}");
    assert_eq!(current[0]["method"], method);
    assert_eq!(current[0]["id"], tokens["session_id"]);

    let refreshed = app.refresh(refresh).await;
    assert_eq!(refreshed.status.as_u16(), 200, "{:?}", refreshed.json());
    let refreshed = refreshed.json();
    let new_access = refreshed["access_token"].as_str().expect("access token");
    let new_refresh = refreshed["refresh_token"].as_str().expect("refresh token");
    assert_eq!(claims_of(new_access)["amr"], serde_json::json!([method]));
    assert_eq!(app.me(new_access).await.status.as_u16(), 200);

    let signed_out = app
        .send(
            app.authed(Method::DELETE, "/v1/sessions/current", new_access),
            None,
        )
        .await;
    assert_eq!(signed_out.status.as_u16(), 204);
    signed_out.assert_empty();
    app.refresh(new_refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
    app.me(new_access)
        .await
        .assert_problem(401, "token_revoked");
}

/// The kinds (and methods) of the account's latest security events, newest first.
pub async fn security_events(app: &TestApp, access_token: &str) -> Vec<(String, String)> {
    let events = app
        .send(
            app.authed(Method::GET, "/v1/me/security-events", access_token),
            None,
        )
        .await
        .json();
    events["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["method"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
