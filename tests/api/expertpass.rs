//! Expertpass: the browser shows a QR code, the mobile app approves it, the browser collects a
//! session. `ExpertpassApp` plays the app exactly as the README tells a mobile team to.

use awc::http::Method;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};

use crate::{
    fixtures::TestAccount,
    helpers::{spawn_app, TestApp, TestResponse},
    mailbox::wait_for_emails,
    session_checks::{assert_behaves_like_a_password_session, claims_of, security_events},
};

/// The ComptExpert mobile app, as far as Expertpass goes.
struct ExpertpassApp {
    key: SigningKey,
    device_id: String,
}

/// What the app reads from a QR code.
struct Scanned {
    challenge_id: String,
    nonce: String,
}

impl ExpertpassApp {
    /// A fresh Ed25519 key pair, its public key enrolled on the account signed in with `access`.
    async fn enrol(app: &TestApp, access: &str, name: &str) -> Self {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let response = app.enrol_device(access, name, &public_key_of(&key)).await;
        assert_eq!(response.status.as_u16(), 201, "{:?}", response.json());
        let device = response.json();
        assert_eq!(device["public_key"], public_key_of(&key));
        Self {
            key,
            device_id: device["id"].as_str().expect("device id").to_owned(),
        }
    }

    /// Reads `comptexpert://login?c={challenge_id}&n={nonce}`.
    fn scan(qr_payload: &str) -> Scanned {
        let query = qr_payload
            .strip_prefix("comptexpert://login?")
            .unwrap_or_else(|| panic!("not an Expertpass QR payload: {qr_payload}"));
        let mut challenge_id = None;
        let mut nonce = None;
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("c", value)) => challenge_id = Some(value.to_owned()),
                Some(("n", value)) => nonce = Some(value.to_owned()),
                _ => {}
            }
        }
        Scanned {
            challenge_id: challenge_id.expect("c"),
            nonce: nonce.expect("n"),
        }
    }

    /// The documented message, signed: five lines joined by `\n`, no trailing newline.
    fn sign(&self, scanned: &Scanned, decision: &str, timestamp: i64) -> String {
        let message = format!(
            "comptexpert-expertpass-v1\n{}\n{}\n{decision}\n{timestamp}",
            scanned.challenge_id, scanned.nonce
        );
        URL_SAFE_NO_PAD.encode(self.key.sign(message.as_bytes()).to_bytes())
    }

    /// The approval request the app sends for `decision` now.
    fn decision_body(&self, scanned: &Scanned, decision: &str) -> Value {
        let timestamp = chrono::Utc::now().timestamp();
        json!({
            "device_id": self.device_id,
            "decision": decision,
            "timestamp": timestamp,
            "signature": self.sign(scanned, decision, timestamp),
        })
    }

    /// Scans the QR payload and sends the owner's `decision` ("approve" or "deny").
    async fn decide(&self, app: &TestApp, qr_payload: &str, decision: &str) -> TestResponse {
        let scanned = Self::scan(qr_payload);
        app.send_approval(
            &scanned.challenge_id,
            self.decision_body(&scanned, decision),
        )
        .await
    }
}

fn public_key_of(key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())
}

impl TestApp {
    /// `POST /v1/me/devices`.
    async fn enrol_device(&self, access: &str, name: &str, public_key: &str) -> TestResponse {
        self.send(
            self.authed(Method::POST, "/v1/me/devices", access),
            Some(json!({"name": name, "public_key": public_key})),
        )
        .await
    }

    /// `POST /v1/expertpass/challenges` (the browser).
    async fn start_expertpass(&self, keep_session_active: bool) -> Value {
        let response = self
            .post_json(
                "/v1/expertpass/challenges",
                json!({"keep_session_active": keep_session_active}),
            )
            .await;
        assert_eq!(response.status.as_u16(), 201, "{:?}", response.json());
        response.json()
    }

    /// `GET /v1/expertpass/challenges/{id}` with the poll token (the browser).
    async fn poll(&self, challenge: &Value) -> TestResponse {
        self.poll_with(
            challenge["challenge_id"].as_str().expect("id"),
            challenge["poll_token"].as_str(),
        )
        .await
    }

    async fn poll_with(&self, challenge_id: &str, poll_token: Option<&str>) -> TestResponse {
        let mut request = self.request(
            Method::GET,
            &format!("/v1/expertpass/challenges/{challenge_id}"),
        );
        if let Some(token) = poll_token {
            request = request.insert_header(("Expertpass-Poll-Token", token));
        }
        self.send(request, None).await
    }

    /// `POST /v1/expertpass/challenges/{id}/approval` (the app).
    async fn send_approval(&self, challenge_id: &str, body: Value) -> TestResponse {
        self.post_json(
            &format!("/v1/expertpass/challenges/{challenge_id}/approval"),
            body,
        )
        .await
    }
}

/// An account, signed in with its password, with the app enrolled.
async fn account_with_app(app: &TestApp, identifier: &str) -> (TestAccount, String, ExpertpassApp) {
    let account =
        app.add_active_account(identifier, "Rac-2026!", &format!("{identifier}@cabinet.fr"));
    let (access, _) = app.signed_in(&account).await;
    let phone = ExpertpassApp::enrol(app, &access, "iPhone de Jeanne").await;
    (account, access, phone)
}

fn qr_of(challenge: &Value) -> &str {
    challenge["qr_payload"].as_str().expect("qr payload")
}

#[actix_web::test]
async fn the_app_approves_a_qr_code_and_the_browser_collects_a_normal_session_once() {
    let app = spawn_app().await;
    let (account, _, phone) = account_with_app(&app, "j.martin").await;

    let challenge = app.start_expertpass(true).await;
    let scanned = ExpertpassApp::scan(qr_of(&challenge));
    assert_eq!(scanned.challenge_id, challenge["challenge_id"]);
    assert!(scanned.nonce.len() >= 43, "256-bit nonce");
    assert!(challenge["qr_svg"]
        .as_str()
        .is_some_and(|svg| svg.contains("<svg")));
    assert_eq!(challenge["expires_in"], 120);
    assert_eq!(challenge["interval"], 2);

    let pending = app.poll(&challenge).await;
    assert_eq!(pending.status.as_u16(), 200);
    assert_eq!(pending.json()["status"], "pending");
    assert_eq!(pending.json()["interval"], 2);
    assert!(pending.json().get("tokens").is_none());

    let approved = phone.decide(&app, qr_of(&challenge), "approve").await;
    assert_eq!(approved.status.as_u16(), 200, "{:?}", approved.json());
    assert_eq!(approved.json()["status"], "approved");

    let collected = app.poll(&challenge).await;
    assert_eq!(collected.status.as_u16(), 200);
    assert_eq!(
        collected.header("cache-control").as_deref(),
        Some("no-store")
    );
    let state = collected.json();
    assert_eq!(state["status"], "approved");
    let tokens = &state["tokens"];
    assert_eq!(tokens["account"]["id"], account.id.as_str());
    assert_eq!(
        claims_of(tokens["access_token"].as_str().expect("access"))["sub"],
        account.id.as_str()
    );
    assert_eq!(
        tokens["refresh_expires_in"],
        30 * 24 * 3600,
        "kept active as asked by the browser"
    );

    // Delivered once: the next poll finds nothing to collect.
    app.poll(&challenge)
        .await
        .assert_problem(410, "challenge_consumed");

    assert_behaves_like_a_password_session(&app, tokens, "qr").await;
}

#[actix_web::test]
async fn two_simultaneous_polls_of_an_approved_challenge_get_the_tokens_once() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    phone.decide(&app, qr_of(&challenge), "approve").await;

    let (first, second) = futures_util::join!(app.poll(&challenge), app.poll(&challenge));
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 410]);
    let winner = if first.status.as_u16() == 200 {
        first
    } else {
        second
    };
    assert!(winner.json()["tokens"]["access_token"].is_string());
}

#[actix_web::test]
async fn a_denied_challenge_polls_as_denied_hands_out_nothing_and_is_in_the_history() {
    let app = spawn_app().await;
    let (_, access, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;

    let denied = phone.decide(&app, qr_of(&challenge), "deny").await;
    assert_eq!(denied.status.as_u16(), 200);
    assert_eq!(denied.json()["status"], "denied");

    let state = app.poll(&challenge).await.json();
    assert_eq!(state["status"], "denied");
    assert!(state.get("tokens").is_none());
    assert_eq!(app.poll(&challenge).await.json()["status"], "denied");
    let events = security_events(&app, &access).await;
    assert_eq!(events[0], ("sign_in_failed".to_owned(), "qr".to_owned()));
}

#[actix_web::test]
async fn a_challenge_is_decided_once_and_a_replayed_approval_is_refused() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    let scanned = ExpertpassApp::scan(qr_of(&challenge));
    let approval = phone.decision_body(&scanned, "approve");

    let first = app
        .send_approval(&scanned.challenge_id, approval.clone())
        .await;
    assert_eq!(first.status.as_u16(), 200);
    app.send_approval(&scanned.challenge_id, approval)
        .await
        .assert_problem(409, "challenge_already_decided");
    phone
        .decide(&app, qr_of(&challenge), "deny")
        .await
        .assert_problem(409, "challenge_already_decided");

    // Even once collected, the challenge stays decided.
    assert_eq!(app.poll(&challenge).await.json()["status"], "approved");
    phone
        .decide(&app, qr_of(&challenge), "approve")
        .await
        .assert_problem(409, "challenge_already_decided");
}

#[actix_web::test]
async fn a_signature_by_another_accounts_device_or_for_another_challenge_is_refused() {
    let app = spawn_app().await;
    let (_, _, jeanne_phone) = account_with_app(&app, "j.martin").await;
    let (_, _, paul_phone) = account_with_app(&app, "p.bernard").await;
    let challenge = app.start_expertpass(false).await;
    let scanned = ExpertpassApp::scan(qr_of(&challenge));

    // Paul's app signs, but claims to be Jeanne's device.
    let mut forged = paul_phone.decision_body(&scanned, "approve");
    forged["device_id"] = json!(jeanne_phone.device_id);
    app.send_approval(&scanned.challenge_id, forged)
        .await
        .assert_problem(401, "invalid_signature");

    // A genuine signature made for another QR code.
    let other = app.start_expertpass(false).await;
    let other_scanned = ExpertpassApp::scan(qr_of(&other));
    let for_other = jeanne_phone.decision_body(&other_scanned, "approve");
    app.send_approval(&scanned.challenge_id, for_other)
        .await
        .assert_problem(401, "invalid_signature");

    // A signed "deny" presented as an "approve".
    let mut flipped = jeanne_phone.decision_body(&scanned, "deny");
    flipped["decision"] = json!("approve");
    app.send_approval(&scanned.challenge_id, flipped)
        .await
        .assert_problem(401, "invalid_signature");

    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");
}

#[actix_web::test]
async fn a_signed_timestamp_far_from_the_server_clock_is_refused() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    let scanned = ExpertpassApp::scan(qr_of(&challenge));
    let stale = chrono::Utc::now().timestamp() - 600;
    let body = json!({
        "device_id": phone.device_id,
        "decision": "approve",
        "timestamp": stale,
        "signature": phone.sign(&scanned, "approve", stale),
    });
    app.send_approval(&scanned.challenge_id, body)
        .await
        .assert_problem(401, "stale_timestamp");
    for absurd in [i64::MIN, i64::MAX, 0] {
        let body = json!({
            "device_id": phone.device_id,
            "decision": "approve",
            "timestamp": absurd,
            "signature": phone.sign(&scanned, "approve", absurd),
        });
        app.send_approval(&scanned.challenge_id, body)
            .await
            .assert_problem(401, "stale_timestamp");
    }
    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");
}

#[actix_web::test]
async fn an_expired_challenge_cannot_be_approved_and_polls_as_expired() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    let id = challenge["challenge_id"].as_str().expect("id");
    app.expire_challenge("expertpass_challenges", id);

    phone
        .decide(&app, qr_of(&challenge), "approve")
        .await
        .assert_problem(410, "challenge_expired");
    let state = app.poll(&challenge).await.json();
    assert_eq!(state["status"], "expired");
    assert!(state.get("tokens").is_none());
}

#[actix_web::test]
async fn approved_tokens_not_collected_within_the_window_expire() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    phone.decide(&app, qr_of(&challenge), "approve").await;
    app.expire_challenge(
        "expertpass_challenges",
        challenge["challenge_id"].as_str().expect("id"),
    );
    let state = app.poll(&challenge).await.json();
    assert_eq!(state["status"], "expired");
    assert!(state.get("tokens").is_none());
}

#[actix_web::test]
async fn only_the_browser_holding_the_poll_token_can_poll() {
    let app = spawn_app().await;
    let challenge = app.start_expertpass(false).await;
    let id = challenge["challenge_id"].as_str().expect("id");
    let other = app.start_expertpass(false).await;

    app.poll_with(id, None)
        .await
        .assert_problem(403, "invalid_poll_token");
    app.poll_with(id, other["poll_token"].as_str())
        .await
        .assert_problem(403, "invalid_poll_token");
    app.poll_with(id, Some("not a token at all"))
        .await
        .assert_problem(403, "invalid_poll_token");
    app.poll_with(
        "0193a0a4-0000-7000-8000-000000000000",
        challenge["poll_token"].as_str(),
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");
}

#[actix_web::test]
async fn an_unknown_or_removed_device_cannot_approve() {
    let app = spawn_app().await;
    let (_, access, phone) = account_with_app(&app, "j.martin").await;
    let removed = app
        .send(
            app.authed(
                Method::DELETE,
                &format!("/v1/me/devices/{}", phone.device_id),
                &access,
            ),
            None,
        )
        .await;
    assert_eq!(removed.status.as_u16(), 204);

    let challenge = app.start_expertpass(false).await;
    phone
        .decide(&app, qr_of(&challenge), "approve")
        .await
        .assert_problem(401, "unknown_device");
    let unknown = app
        .send_approval(
            challenge["challenge_id"].as_str().expect("id"),
            json!({
                "device_id": "0193a0a4-0000-7000-8000-000000000000",
                "decision": "approve",
                "timestamp": chrono::Utc::now().timestamp(),
                "signature": URL_SAFE_NO_PAD.encode([0u8; 64]),
            }),
        )
        .await;
    unknown.assert_problem(401, "unknown_device");
}

#[actix_web::test]
async fn devices_are_listed_removed_notified_and_another_accounts_device_is_404() {
    let app = spawn_app().await;
    let (jeanne, jeanne_access, phone) = account_with_app(&app, "j.martin").await;
    let (_, paul_access, _) = account_with_app(&app, "p.bernard").await;

    let listed = app
        .send(
            app.authed(Method::GET, "/v1/me/devices", &jeanne_access),
            None,
        )
        .await
        .json();
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], phone.device_id.as_str());
    assert_eq!(items[0]["name"], "iPhone de Jeanne");
    assert_eq!(items[0]["public_key"], public_key_of(&phone.key));

    let path = format!("/v1/me/devices/{}", phone.device_id);
    app.send(app.authed(Method::DELETE, &path, &paul_access), None)
        .await
        .assert_problem(404, "not_found");
    let removed = app
        .send(app.authed(Method::DELETE, &path, &jeanne_access), None)
        .await;
    assert_eq!(removed.status.as_u16(), 204);
    app.send(app.authed(Method::DELETE, &path, &jeanne_access), None)
        .await
        .assert_problem(404, "not_found");

    let events = security_events(&app, &jeanne_access).await;
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds[..2], ["device_removed", "device_enrolled"]);
    let emails = wait_for_emails(&app, &jeanne.email, 2).await;
    assert!(emails[0].text.contains("iPhone de Jeanne") && emails[0].text.contains("associé"));
    assert!(emails[1].text.contains("iPhone de Jeanne") && emails[1].text.contains("retiré"));
}

#[actix_web::test]
async fn enrolling_needs_a_session_a_valid_key_and_a_key_not_enrolled_yet() {
    let app = spawn_app().await;
    let (_, access, phone) = account_with_app(&app, "j.martin").await;

    let anonymous = app
        .post_json(
            "/v1/me/devices",
            json!({"name": "x", "public_key": public_key_of(&phone.key)}),
        )
        .await;
    anonymous.assert_problem(401, "token_missing");

    app.enrol_device(&access, "Encore", &public_key_of(&phone.key))
        .await
        .assert_problem(409, "device_already_enrolled");

    for bad_key in [
        "not base64 at all!",
        "AAAA",
        &URL_SAFE_NO_PAD.encode([9u8; 33]),
        "",
    ] {
        let body = app.enrol_device(&access, "Tablette", bad_key).await;
        let problem = body.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "public_key", "{bad_key}");
    }
    let nameless = app
        .enrol_device(
            &access,
            "  ",
            &public_key_of(&SigningKey::generate(&mut rand::rngs::OsRng)),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(nameless["errors"][0]["field"], "name");
}

#[actix_web::test]
async fn malformed_approvals_get_problems_in_the_callers_language() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    let id = challenge["challenge_id"].as_str().expect("id");
    let now = chrono::Utc::now().timestamp();

    let bad_signature = app
        .send(
            app.request(
                Method::POST,
                &format!("/v1/expertpass/challenges/{id}/approval"),
            )
            .insert_header(("Accept-Language", "en")),
            Some(json!({
                "device_id": phone.device_id,
                "decision": "approve",
                "timestamp": now,
                "signature": "%%%"
            })),
        )
        .await;
    let problem = bad_signature.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "signature");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("64-byte")));

    let short = json!({
        "device_id": phone.device_id,
        "decision": "approve",
        "timestamp": now,
        "signature": URL_SAFE_NO_PAD.encode([1u8; 32]),
    });
    app.send_approval(id, short)
        .await
        .assert_problem(422, "validation_failed");
    let unknown_decision = json!({
        "device_id": phone.device_id,
        "decision": "maybe",
        "timestamp": now,
        "signature": URL_SAFE_NO_PAD.encode([1u8; 64]),
    });
    app.send_approval(id, unknown_decision)
        .await
        .assert_problem(422, "invalid_body");
    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");
}

#[actix_web::test]
async fn the_qr_sign_in_is_recorded_in_the_security_history() {
    let app = spawn_app().await;
    let (_, access, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    phone.decide(&app, qr_of(&challenge), "approve").await;
    assert_eq!(app.poll(&challenge).await.json()["status"], "approved");

    let events = security_events(&app, &access).await;
    assert_eq!(events[0], ("sign_in".to_owned(), "qr".to_owned()));
    assert_eq!(events[1].0, "device_enrolled");
}
