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

    /// `text`, signed with the device's key, base64url.
    fn signature_of(&self, text: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.key.sign(text.as_bytes()).to_bytes())
    }

    /// The documented decision message, signed: six lines joined by `\n`, no trailing newline,
    /// the chosen number on the 5th (`-` when none).
    fn sign(
        &self,
        scanned: &Scanned,
        decision: &str,
        number: Option<i64>,
        timestamp: i64,
    ) -> String {
        let number = number.map_or_else(|| "-".to_owned(), |n| n.to_string());
        self.signature_of(&format!(
            "comptexpert-expertpass-v2\n{}\n{}\n{decision}\n{number}\n{timestamp}",
            scanned.challenge_id, scanned.nonce
        ))
    }

    /// The approval request the app sends for `decision` and the chosen `number` now.
    fn decision_body(&self, scanned: &Scanned, decision: &str, number: Option<i64>) -> Value {
        let timestamp = chrono::Utc::now().timestamp();
        json!({
            "device_id": self.device_id,
            "decision": decision,
            "number": number,
            "timestamp": timestamp,
            "signature": self.sign(scanned, decision, number, timestamp),
        })
    }

    /// The signed context request's headers for `scanned`, at `timestamp`.
    fn context_headers(&self, scanned: &Scanned, timestamp: i64) -> [(&'static str, String); 3] {
        let message = format!(
            "comptexpert-expertpass-v2\n{}\n{}\ncontext\n{timestamp}",
            scanned.challenge_id, scanned.nonce
        );
        [
            ("Expertpass-Device-Id", self.device_id.clone()),
            ("Expertpass-Timestamp", timestamp.to_string()),
            ("Expertpass-Signature", self.signature_of(&message)),
        ]
    }

    /// `GET /v1/expertpass/challenges/{id}/context`, signed now.
    async fn read_context(&self, app: &TestApp, scanned: &Scanned) -> TestResponse {
        let headers = self.context_headers(scanned, chrono::Utc::now().timestamp());
        app.context_with(&scanned.challenge_id, &headers).await
    }

    /// Scans the browser's QR code and sends the owner's `decision` ("approve" or "deny"); to
    /// approve, the owner picks the number the browser shows.
    async fn decide(&self, app: &TestApp, challenge: &Value, decision: &str) -> TestResponse {
        let number = (decision == "approve").then(|| number_of(challenge));
        self.decide_with_number(app, challenge, decision, number)
            .await
    }

    /// Sends `decision` with `number` as the owner's choice, whatever the browser shows.
    async fn decide_with_number(
        &self,
        app: &TestApp,
        challenge: &Value,
        decision: &str,
        number: Option<i64>,
    ) -> TestResponse {
        let scanned = Self::scan(qr_of(challenge));
        app.send_approval(
            &scanned.challenge_id,
            self.decision_body(&scanned, decision, number),
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

    /// `GET /v1/expertpass/challenges/{id}/context` with these headers (the app).
    async fn context_with(&self, challenge_id: &str, headers: &[(&str, String)]) -> TestResponse {
        let mut request = self.request(
            Method::GET,
            &format!("/v1/expertpass/challenges/{challenge_id}/context"),
        );
        for (name, value) in headers {
            request = request.insert_header((*name, value.as_str()));
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

/// The number the browser shows beside the QR code.
fn number_of(challenge: &Value) -> i64 {
    challenge["number"].as_i64().expect("number")
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

    let approved = phone.decide(&app, &challenge, "approve").await;
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
    phone.decide(&app, &challenge, "approve").await;

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

    let denied = phone.decide(&app, &challenge, "deny").await;
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
    let approval = phone.decision_body(&scanned, "approve", Some(number_of(&challenge)));

    let first = app
        .send_approval(&scanned.challenge_id, approval.clone())
        .await;
    assert_eq!(first.status.as_u16(), 200);
    app.send_approval(&scanned.challenge_id, approval)
        .await
        .assert_problem(409, "challenge_already_decided");
    phone
        .decide(&app, &challenge, "deny")
        .await
        .assert_problem(409, "challenge_already_decided");

    // Even once collected, the challenge stays decided.
    assert_eq!(app.poll(&challenge).await.json()["status"], "approved");
    phone
        .decide(&app, &challenge, "approve")
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
    let mut forged = paul_phone.decision_body(&scanned, "approve", Some(number_of(&challenge)));
    forged["device_id"] = json!(jeanne_phone.device_id);
    app.send_approval(&scanned.challenge_id, forged)
        .await
        .assert_problem(401, "invalid_signature");

    // A genuine signature made for another QR code.
    let other = app.start_expertpass(false).await;
    let other_scanned = ExpertpassApp::scan(qr_of(&other));
    let for_other = jeanne_phone.decision_body(&other_scanned, "approve", Some(number_of(&other)));
    app.send_approval(&scanned.challenge_id, for_other)
        .await
        .assert_problem(401, "invalid_signature");

    // A signed "deny" presented as an "approve".
    let mut flipped = jeanne_phone.decision_body(&scanned, "deny", Some(number_of(&challenge)));
    flipped["decision"] = json!("approve");
    app.send_approval(&scanned.challenge_id, flipped)
        .await
        .assert_problem(401, "invalid_signature");

    // The number the owner chose, changed on the way (by a relay, say).
    let wrong = if number_of(&challenge) == 99 { 98 } else { 99 };
    let mut altered = jeanne_phone.decision_body(&scanned, "approve", Some(wrong));
    altered["number"] = json!(number_of(&challenge));
    app.send_approval(&scanned.challenge_id, altered)
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
    let number = Some(number_of(&challenge));
    let stale = chrono::Utc::now().timestamp() - 600;
    let body = json!({
        "device_id": phone.device_id,
        "decision": "approve",
        "number": number,
        "timestamp": stale,
        "signature": phone.sign(&scanned, "approve", number, stale),
    });
    app.send_approval(&scanned.challenge_id, body)
        .await
        .assert_problem(401, "stale_timestamp");
    for absurd in [i64::MIN, i64::MAX, 0] {
        let body = json!({
            "device_id": phone.device_id,
            "decision": "approve",
            "number": number,
            "timestamp": absurd,
            "signature": phone.sign(&scanned, "approve", number, absurd),
        });
        app.send_approval(&scanned.challenge_id, body)
            .await
            .assert_problem(401, "stale_timestamp");
    }
    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");
}

/// The parts of a problem that a client reads.
fn what_a_client_reads(problem: &Value) -> Value {
    json!({
        "status": problem["status"],
        "code": problem["code"],
        "title": problem["title"],
        "detail": problem["detail"],
    })
}

#[actix_web::test]
async fn an_expired_challenge_answers_alike_to_the_browser_and_the_app() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    let id = challenge["challenge_id"].as_str().expect("id");
    app.expire_challenge("expertpass_challenges", id);

    let poll = app
        .poll(&challenge)
        .await
        .assert_problem(410, "challenge_expired");
    let context = phone
        .read_context(&app, &ExpertpassApp::scan(qr_of(&challenge)))
        .await
        .assert_problem(410, "challenge_expired");
    let approval = phone
        .decide(&app, &challenge, "approve")
        .await
        .assert_problem(410, "challenge_expired");
    assert_eq!(what_a_client_reads(&poll), what_a_client_reads(&approval));
    assert_eq!(what_a_client_reads(&poll), what_a_client_reads(&context));
    assert!(poll.get("tokens").is_none());
    // And it stays so: nothing the app did revived it.
    app.poll(&challenge)
        .await
        .assert_problem(410, "challenge_expired");
}

#[actix_web::test]
async fn approved_tokens_not_collected_within_the_window_expire() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    phone.decide(&app, &challenge, "approve").await;
    app.expire_challenge(
        "expertpass_challenges",
        challenge["challenge_id"].as_str().expect("id"),
    );
    let state = app
        .poll(&challenge)
        .await
        .assert_problem(410, "challenge_expired");
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
    removed.assert_empty();

    let challenge = app.start_expertpass(false).await;
    phone
        .decide(&app, &challenge, "approve")
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
    removed.assert_empty();
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
    for not_two_digits in [9_i64, 100, -42, 4_294_967_338] {
        let scanned = ExpertpassApp::scan(qr_of(&challenge));
        let mut body = phone.decision_body(&scanned, "approve", Some(42));
        body["number"] = json!(not_two_digits);
        let problem = app
            .send_approval(id, body)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "number", "{not_two_digits}");
    }
    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");
}

#[actix_web::test]
async fn the_qr_sign_in_is_recorded_in_the_security_history() {
    let app = spawn_app().await;
    let (_, access, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    phone.decide(&app, &challenge, "approve").await;
    assert_eq!(app.poll(&challenge).await.json()["status"], "approved");

    let events = security_events(&app, &access).await;
    assert_eq!(events[0], ("sign_in".to_owned(), "qr".to_owned()));
    assert_eq!(events[1].0, "device_enrolled");
}

#[actix_web::test]
async fn before_approving_the_app_sees_the_browser_its_network_and_three_numbers_one_of_them_shown()
{
    let app = spawn_app().await;
    let (account, _, phone) = account_with_app(&app, "j.martin").await;
    let browser =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let created = app
        .send(
            app.request(Method::POST, "/v1/expertpass/challenges")
                .insert_header(("User-Agent", browser)),
            Some(json!({})),
        )
        .await;
    assert_eq!(created.status.as_u16(), 201, "{:?}", created.json());
    let challenge = created.json();
    let number = number_of(&challenge);
    assert!((10..=99).contains(&number), "two digits: {number}");

    let scanned = ExpertpassApp::scan(qr_of(&challenge));
    let read = phone.read_context(&app, &scanned).await;
    assert_eq!(read.status.as_u16(), 200, "{:?}", read.json());
    assert_eq!(read.header("cache-control").as_deref(), Some("no-store"));
    let context = read.json();
    assert_eq!(context["challenge_id"], challenge["challenge_id"]);
    assert_eq!(context["site"], "ComptExpert — portail des cotisations");
    assert_eq!(context["user_agent"], browser);
    // The test client connects from 127.0.0.1: shown as its /24, never the full address.
    assert_eq!(context["approximate_address"], "127.0.0.0/24");
    assert!(!context.to_string().contains("127.0.0.1"));
    assert_eq!(context["expires_at"], challenge["expires_at"]);
    let requested_at = chrono::DateTime::parse_from_rfc3339(
        context["requested_at"].as_str().expect("requested_at"),
    )
    .expect("RFC 3339");
    assert!(
        (chrono::Utc::now() - requested_at.to_utc())
            .num_seconds()
            .abs()
            < 30
    );
    let choices: Vec<i64> = context["number_choices"]
        .as_array()
        .expect("choices")
        .iter()
        .map(|n| n.as_i64().expect("a number"))
        .collect();
    assert_eq!(choices.len(), 3);
    assert!(choices.contains(&number), "{choices:?} lacks {number}");
    assert!(choices.iter().all(|n| (10..=99).contains(n)));
    assert!(choices[0] != choices[1] && choices[1] != choices[2] && choices[0] != choices[2]);
    // Reading again offers the same three, in the same order.
    let again = phone.read_context(&app, &scanned).await.json();
    assert_eq!(again["number_choices"], context["number_choices"]);

    // The owner picks the browser's number among the three: the browser is signed in.
    let picked = choices.into_iter().find(|n| *n == number);
    let approved = phone
        .decide_with_number(&app, &challenge, "approve", picked)
        .await;
    assert_eq!(approved.status.as_u16(), 200, "{:?}", approved.json());
    let state = app.poll(&challenge).await.json();
    assert_eq!(state["status"], "approved");
    assert_eq!(state["tokens"]["account"]["id"], account.id.as_str());
}

#[actix_web::test]
async fn the_context_is_only_for_an_enrolled_device_that_signs_for_this_qr_code() {
    let app = spawn_app().await;
    let (_, access, jeanne_phone) = account_with_app(&app, "j.martin").await;
    let (_, _, paul_phone) = account_with_app(&app, "p.bernard").await;
    let challenge = app.start_expertpass(false).await;
    let scanned = ExpertpassApp::scan(qr_of(&challenge));
    let now = chrono::Utc::now().timestamp();
    let id = scanned.challenge_id.as_str();

    // Nothing signed: whoever holds the QR code alone learns nothing.
    let problem = app
        .context_with(id, &[])
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "Expertpass-Device-Id",
            "Expertpass-Timestamp",
            "Expertpass-Signature"
        ]
    );

    // Paul's app signs, but claims to be Jeanne's device.
    let mut forged = paul_phone.context_headers(&scanned, now);
    forged[0].1 = jeanne_phone.device_id.clone();
    app.context_with(id, &forged)
        .await
        .assert_problem(401, "invalid_signature");

    // Jeanne's device signs without the QR code's nonce.
    let guessed = Scanned {
        challenge_id: scanned.challenge_id.clone(),
        nonce: "not-the-nonce".to_owned(),
    };
    app.context_with(id, &jeanne_phone.context_headers(&guessed, now))
        .await
        .assert_problem(401, "invalid_signature");

    // An approval's signature does not open the context.
    let mut approval_signature = jeanne_phone.context_headers(&scanned, now);
    approval_signature[2].1 =
        jeanne_phone.sign(&scanned, "approve", Some(number_of(&challenge)), now);
    app.context_with(id, &approval_signature)
        .await
        .assert_problem(401, "invalid_signature");

    // A signature of another time than the one sent, or of long ago.
    let mut shifted = jeanne_phone.context_headers(&scanned, now);
    shifted[1].1 = (now + 1).to_string();
    app.context_with(id, &shifted)
        .await
        .assert_problem(401, "invalid_signature");
    app.context_with(id, &jeanne_phone.context_headers(&scanned, now - 600))
        .await
        .assert_problem(401, "stale_timestamp");

    // A device removed from its account.
    let removed = app
        .send(
            app.authed(
                Method::DELETE,
                &format!("/v1/me/devices/{}", jeanne_phone.device_id),
                &access,
            ),
            None,
        )
        .await;
    assert_eq!(removed.status.as_u16(), 204);
    removed.assert_empty();
    app.context_with(id, &jeanne_phone.context_headers(&scanned, now))
        .await
        .assert_problem(401, "unknown_device");

    // Paul's own device, signing for itself, may read it.
    let read = paul_phone.read_context(&app, &scanned).await;
    assert_eq!(read.status.as_u16(), 200, "{:?}", read.json());
    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");
}

#[actix_web::test]
async fn a_wrong_number_cancels_the_challenge_for_good() {
    let app = spawn_app().await;
    let (_, access, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    let scanned = ExpertpassApp::scan(qr_of(&challenge));
    let context = phone.read_context(&app, &scanned).await.json();
    let number = number_of(&challenge);
    let decoy = context["number_choices"]
        .as_array()
        .expect("choices")
        .iter()
        .filter_map(Value::as_i64)
        .find(|n| *n != number)
        .expect("a number other than the browser's");

    let wrong = app
        .send(
            app.request(
                Method::POST,
                &format!(
                    "/v1/expertpass/challenges/{}/approval",
                    scanned.challenge_id
                ),
            )
            .insert_header(("Accept-Language", "en")),
            Some(phone.decision_body(&scanned, "approve", Some(decoy))),
        )
        .await;
    let problem = wrong.assert_problem(403, "number_mismatch");
    assert!(problem["detail"]
        .as_str()
        .is_some_and(|d| d.contains("cancelled")));

    let state = app.poll(&challenge).await;
    assert_eq!(state.status.as_u16(), 200);
    let state = state.json();
    assert_eq!(state["status"], "cancelled");
    assert_eq!(state["reason"], "number_mismatch");
    assert!(state.get("tokens").is_none());

    // The right number, afterwards, approves nothing.
    phone
        .decide(&app, &challenge, "approve")
        .await
        .assert_problem(409, "challenge_already_decided");
    phone
        .read_context(&app, &scanned)
        .await
        .assert_problem(409, "challenge_already_decided");
    assert_eq!(app.poll(&challenge).await.json()["status"], "cancelled");
    let events = security_events(&app, &access).await;
    assert_eq!(events[0], ("sign_in_failed".to_owned(), "qr".to_owned()));
}

#[actix_web::test]
async fn an_app_signing_the_version_1_message_is_told_to_update_and_decides_nothing() {
    let app = spawn_app().await;
    let (_, _, phone) = account_with_app(&app, "j.martin").await;
    let challenge = app.start_expertpass(false).await;
    let scanned = ExpertpassApp::scan(qr_of(&challenge));
    let now = chrono::Utc::now().timestamp();

    for decision in ["approve", "deny"] {
        let v1 = phone.signature_of(&format!(
            "comptexpert-expertpass-v1\n{}\n{}\n{decision}\n{now}",
            scanned.challenge_id, scanned.nonce
        ));
        let refused = app
            .send_approval(
                &scanned.challenge_id,
                json!({
                    "device_id": phone.device_id,
                    "decision": decision,
                    "timestamp": now,
                    "signature": v1,
                }),
            )
            .await;
        let problem = refused.assert_problem(422, "outdated_app");
        assert!(problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("comptexpert-expertpass-v2")));
    }

    // A version 2 approval must carry the number it signs.
    let problem = phone
        .decide_with_number(&app, &challenge, "approve", None)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "number");
    assert_eq!(app.poll(&challenge).await.json()["status"], "pending");

    // A denial need not choose a number.
    let denied = phone.decide(&app, &challenge, "deny").await;
    assert_eq!(denied.status.as_u16(), 200, "{:?}", denied.json());
    assert_eq!(app.poll(&challenge).await.json()["status"], "denied");
}

#[actix_web::test]
async fn a_challenge_whose_stored_status_is_unknown_is_an_internal_error_not_a_consumed_one() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let challenge = app.start_expertpass(false).await;
    // A status this release does not know (written by hand, or by a later release).
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    diesel::sql_query(format!(
        "UPDATE expertpass_challenges SET status = 'expired' WHERE id = '{}'",
        challenge["challenge_id"].as_str().expect("id")
    ))
    .execute(&mut pool.get().expect("connection"))
    .expect("a stray status");

    // Not answered as "consumed" (nothing left to collect): the server refuses to guess.
    let polled = app.poll(&challenge).await;
    polled.assert_problem(500, "internal_error");
}

#[actix_web::test]
async fn the_support_desk_removes_a_lost_phone_and_it_approves_no_more() {
    use comptexpert::{domain::states::StaffRoleKind, flows::staff::roles};

    let app = spawn_app().await;
    let (jeanne, jeanne_access, phone) = account_with_app(&app, "j.martin").await;
    let (_, _, other_phone) = account_with_app(&app, "p.bernard").await;
    let agent = app.add_active_account("s.agent", "Support-2026!", "agent@ordre.fr");
    roles::grant_by_operator(&app.context, "s.agent".into(), StaffRoleKind::Support, None)
        .await
        .expect("granted");
    let (agent_access, _) = app.signed_in(&agent).await;

    let credentials = format!("/v1/staff/accounts/{}/credentials", jeanne.id);
    // The owner is not support: the staff endpoints do not exist for them.
    app.send(app.authed(Method::GET, &credentials, &jeanne_access), None)
        .await
        .assert_problem(404, "not_found");
    let listed = app
        .send(app.authed(Method::GET, &credentials, &agent_access), None)
        .await
        .json();
    assert_eq!(listed["devices"][0]["id"], phone.device_id.as_str());
    assert_eq!(listed["devices"][0]["name"], "iPhone de Jeanne");

    // Another account's device is not one of Jeanne's.
    let elsewhere = format!(
        "/v1/staff/accounts/{}/devices/{}",
        jeanne.id, other_phone.device_id
    );
    app.send(app.authed(Method::DELETE, &elsewhere, &agent_access), None)
        .await
        .assert_problem(404, "not_found");
    let path = format!(
        "/v1/staff/accounts/{}/devices/{}",
        jeanne.id, phone.device_id
    );
    let removed = app
        .send(app.authed(Method::DELETE, &path, &agent_access), None)
        .await;
    assert_eq!(removed.status.as_u16(), 204);
    let challenge = app.start_expertpass(false).await;
    phone
        .decide(&app, &challenge, "approve")
        .await
        .assert_problem(401, "unknown_device");
    let challenge = app.start_expertpass(false).await;
    let still = other_phone.decide(&app, &challenge, "approve").await;
    assert!(still.status.is_success(), "{:?}", still.json());

    let events = security_events(&app, &jeanne_access).await;
    assert_eq!(events[0].0, "device_removed_by_support");
}
