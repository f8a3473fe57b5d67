//! `flows::expertpass`: the challenge's life (create, read its context, decide, poll) and the
//! devices (enrol, list, remove), each called directly as its route calls it.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{Signer, SigningKey};

use comptexpert::{
    auth::{
        expertpass::{approval_message, context_message, Decision},
        extractor::Authenticated,
    },
    context::Clock,
    db,
    domain::states::ExpertpassChallengeStatus,
    error::ApiError,
    flows::{
        expertpass::{
            approve::{approve, Approval},
            create_challenge::{create_challenge, NewChallenge},
            enrol_device::{enrol_device, NewDevice},
            list_devices::list_devices,
            poll_challenge::{poll_challenge, Poll},
            read_context::{read_context, ContextRequest},
            remove_device::remove_device,
        },
        sessions::sign_in::{sign_in, Credentials, SignIn},
        Client,
    },
};

use crate::helpers::{spawn_app, TestApp};

fn browser() -> Client {
    Client::new("203.0.113.57", Some("Firefox/133.0"))
}

fn phone() -> Client {
    Client::new("198.51.100.9", Some("ComptExpert/3.0"))
}

/// `identifier` signed in with a password, as the caller of the `/me/devices` flows.
async fn signed_in(app: &TestApp, identifier: &str) -> Authenticated {
    let email = format!("{identifier}@example.fr");
    app.add_active_account(identifier, "Cabinet-2026!", &email);
    let credentials = Credentials {
        identifier: identifier.into(),
        password: "Cabinet-2026!".into(),
        keep_session_active: false,
    };
    let SignIn::SignedIn(signed_in) = sign_in(&app.context, credentials, browser())
        .await
        .expect("no error")
    else {
        panic!("not signed in");
    };
    Authenticated {
        account_id: signed_in.account.id,
        session_id: signed_in.session.id,
        amr: signed_in.session.amr,
    }
}

/// A key pair enrolled on `auth`'s account: the app.
struct Device {
    id: String,
    key: SigningKey,
}

async fn enrolled(app: &TestApp, auth: &Authenticated) -> Device {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let device = enrol_device(
        &app.context,
        auth,
        NewDevice {
            name: "iPhone de Marie".into(),
            public_key: URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        },
        phone(),
    )
    .await
    .expect("enrolled");
    Device { id: device.id, key }
}

fn now() -> i64 {
    db::now().and_utc().timestamp()
}

/// The device's decision on `challenge`, signed.
fn decision(
    device: &Device,
    challenge: &NewChallenge,
    decision: Decision,
    number: Option<i32>,
) -> Approval {
    let timestamp = now();
    let message = approval_message(
        &challenge.challenge.id,
        &challenge.challenge.nonce,
        decision,
        number,
        timestamp,
    );
    Approval {
        challenge_id: challenge.challenge.id.clone(),
        device_id: device.id.clone(),
        decision,
        number: number.map(i64::from),
        timestamp,
        signature: URL_SAFE_NO_PAD.encode(device.key.sign(message.as_bytes()).to_bytes()),
    }
}

async fn poll(app: &TestApp, challenge: &NewChallenge) -> Result<Poll, ApiError> {
    poll_challenge(
        &app.context,
        challenge.challenge.id.clone(),
        Some(challenge.poll_token.clone()),
        browser(),
    )
    .await
}

/// A number the browser does not show.
fn other_number(shown: i32) -> i32 {
    if shown == 10 {
        11
    } else {
        10
    }
}

#[actix_web::test]
async fn a_new_challenge_is_pending_keeps_the_browser_and_polls_as_pending() {
    let app = spawn_app().await;
    let challenge = create_challenge(&app.context, true, browser())
        .await
        .expect("created");
    let stored = &challenge.challenge;
    assert_eq!(stored.status, ExpertpassChallengeStatus::Pending);
    assert!(stored.keep_active);
    assert_eq!(stored.user_agent.as_deref(), Some("Firefox/133.0"));
    assert_eq!(stored.client_network.as_deref(), Some("203.0.113.0/24"));
    assert!(stored.offered_numbers().contains(&stored.number));
    assert!(challenge.qr_payload.contains(&stored.id) && challenge.qr_svg.contains("<svg"));

    let Poll::Pending { expires_at } = poll(&app, &challenge).await.expect("polled") else {
        panic!("not pending");
    };
    assert_eq!(expires_at, stored.expires_at);
}

#[actix_web::test]
async fn only_the_poll_token_polls_and_an_unknown_challenge_is_not_found() {
    let app = spawn_app().await;
    let challenge = create_challenge(&app.context, false, browser())
        .await
        .expect("created");
    for token in [None, Some(comptexpert::domain::tokens::random_token())] {
        let error = poll_challenge(
            &app.context,
            challenge.challenge.id.clone(),
            token,
            browser(),
        )
        .await
        .expect_err("refused");
        assert_eq!(error.code().as_str(), "invalid_poll_token");
    }
    let error = poll_challenge(
        &app.context,
        uuid::Uuid::now_v7().to_string(),
        Some(challenge.poll_token),
        browser(),
    )
    .await
    .expect_err("unknown");
    assert_eq!(error.code().as_str(), "not_found");
}

#[actix_web::test]
async fn the_device_reads_the_context_of_a_pending_challenge_with_a_signed_request() {
    let app = spawn_app().await;
    let auth = signed_in(&app, "mdurand").await;
    let device = enrolled(&app, &auth).await;
    let challenge = create_challenge(&app.context, false, browser())
        .await
        .expect("created");
    let timestamp = now();
    let message = context_message(
        &challenge.challenge.id,
        &challenge.challenge.nonce,
        timestamp,
    );
    let request = |signature: Option<String>| ContextRequest {
        challenge_id: challenge.challenge.id.clone(),
        device_id: Some(device.id.clone()),
        timestamp: Some(timestamp.to_string()),
        signature,
    };

    let read = read_context(
        &app.context,
        request(Some(
            URL_SAFE_NO_PAD.encode(device.key.sign(message.as_bytes()).to_bytes()),
        )),
        phone(),
    )
    .await
    .expect("read");
    assert_eq!(read.id, challenge.challenge.id);
    assert_eq!(
        read.offered_numbers(),
        challenge.challenge.offered_numbers()
    );

    let missing = read_context(&app.context, request(None), phone())
        .await
        .expect_err("no signature");
    assert_eq!(missing.code().as_str(), "validation_failed");
    let forged = device.key.sign(b"something else");
    let error = read_context(
        &app.context,
        request(Some(URL_SAFE_NO_PAD.encode(forged.to_bytes()))),
        phone(),
    )
    .await
    .expect_err("not this message");
    assert_eq!(error.code().as_str(), "invalid_signature");
}

#[actix_web::test]
async fn an_approval_with_the_shown_number_opens_a_qr_session_collected_once() {
    let app = spawn_app().await;
    let auth = signed_in(&app, "mdurand").await;
    let device = enrolled(&app, &auth).await;
    let challenge = create_challenge(&app.context, true, browser())
        .await
        .expect("created");

    let number = Some(challenge.challenge.number);
    let recorded = approve(
        &app.context,
        decision(&device, &challenge, Decision::Approve, number),
        phone(),
    )
    .await
    .expect("approved");
    assert_eq!(recorded, Decision::Approve);

    let Poll::Approved(signed_in) = poll(&app, &challenge).await.expect("polled") else {
        panic!("not approved");
    };
    assert_eq!(signed_in.account.id, auth.account_id);
    assert_eq!(signed_in.session.amr, "qr");
    assert!(signed_in.session.keep_active);
    assert_eq!(
        signed_in.session.user_agent.as_deref(),
        Some("Firefox/133.0")
    );
    let again = poll(&app, &challenge).await.expect_err("collected");
    assert_eq!(again.code().as_str(), "challenge_consumed");

    let replay = approve(
        &app.context,
        decision(&device, &challenge, Decision::Approve, number),
        phone(),
    )
    .await
    .expect_err("decided once");
    assert_eq!(replay.code().as_str(), "challenge_already_decided");
}

#[actix_web::test]
async fn a_wrong_number_cancels_and_a_denial_denies() {
    let app = spawn_app().await;
    let auth = signed_in(&app, "mdurand").await;
    let device = enrolled(&app, &auth).await;

    let cancelled = create_challenge(&app.context, false, browser())
        .await
        .expect("created");
    let wrong = Some(other_number(cancelled.challenge.number));
    let error = approve(
        &app.context,
        decision(&device, &cancelled, Decision::Approve, wrong),
        phone(),
    )
    .await
    .expect_err("mismatch");
    assert_eq!(error.code().as_str(), "number_mismatch");
    assert!(matches!(poll(&app, &cancelled).await, Ok(Poll::Cancelled)));

    let denied = create_challenge(&app.context, false, browser())
        .await
        .expect("created");
    let recorded = approve(
        &app.context,
        decision(&device, &denied, Decision::Deny, None),
        phone(),
    )
    .await
    .expect("denied");
    assert_eq!(recorded, Decision::Deny);
    assert!(matches!(poll(&app, &denied).await, Ok(Poll::Denied)));

    let no_number = create_challenge(&app.context, false, browser())
        .await
        .expect("created");
    let error = approve(
        &app.context,
        decision(&device, &no_number, Decision::Approve, None),
        phone(),
    )
    .await
    .expect_err("an approval needs the number");
    assert_eq!(error.code().as_str(), "validation_failed");
}

#[actix_web::test]
async fn past_its_two_minutes_a_challenge_is_expired_to_the_browser_and_the_app() {
    let app = spawn_app().await;
    let auth = signed_in(&app, "mdurand").await;
    let device = enrolled(&app, &auth).await;
    let challenge = create_challenge(&app.context, false, browser())
        .await
        .expect("created");

    let mut later = app.context.clone();
    later.clock = Clock::fixed(challenge.challenge.expires_at + chrono::Duration::seconds(1));
    let error = poll_challenge(
        &later,
        challenge.challenge.id.clone(),
        Some(challenge.poll_token.clone()),
        browser(),
    )
    .await
    .expect_err("expired");
    assert_eq!(error.code().as_str(), "challenge_expired");

    app.expire_challenge("expertpass_challenges", &challenge.challenge.id);
    let number = Some(challenge.challenge.number);
    let error = approve(
        &app.context,
        decision(&device, &challenge, Decision::Approve, number),
        phone(),
    )
    .await
    .expect_err("expired");
    assert_eq!(error.code().as_str(), "challenge_expired");
}

#[actix_web::test]
async fn an_unknown_device_cannot_decide() {
    let app = spawn_app().await;
    let challenge = create_challenge(&app.context, false, browser())
        .await
        .expect("created");
    let stranger = Device {
        id: uuid::Uuid::now_v7().to_string(),
        key: SigningKey::generate(&mut rand::rngs::OsRng),
    };
    let number = Some(challenge.challenge.number);
    let error = approve(
        &app.context,
        decision(&stranger, &challenge, Decision::Approve, number),
        phone(),
    )
    .await
    .expect_err("unknown");
    assert_eq!(error.code().as_str(), "unknown_device");
}

#[actix_web::test]
async fn devices_are_enrolled_once_listed_and_removed_by_their_owner_only() {
    let app = spawn_app().await;
    let marie = signed_in(&app, "mdurand").await;
    let paul = signed_in(&app, "pmartin").await;
    let device = enrolled(&app, &marie).await;

    let twice = enrol_device(
        &app.context,
        &marie,
        NewDevice {
            name: "Encore".into(),
            public_key: URL_SAFE_NO_PAD.encode(device.key.verifying_key().as_bytes()),
        },
        phone(),
    )
    .await
    .expect_err("enrolled already");
    assert_eq!(twice.code().as_str(), "device_already_enrolled");
    let bad = enrol_device(
        &app.context,
        &marie,
        NewDevice {
            name: " ".into(),
            public_key: "short".into(),
        },
        phone(),
    )
    .await
    .expect_err("invalid");
    assert_eq!(bad.code().as_str(), "validation_failed");

    let listed = list_devices(&app.context, &marie).await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, device.id);
    assert_eq!(listed[0].name, "iPhone de Marie");
    assert!(list_devices(&app.context, &paul)
        .await
        .expect("listed")
        .is_empty());

    let error = remove_device(&app.context, &paul, device.id.clone(), phone())
        .await
        .expect_err("not Paul's");
    assert_eq!(error.code().as_str(), "not_found");
    remove_device(&app.context, &marie, device.id.clone(), phone())
        .await
        .expect("removed");
    assert!(list_devices(&app.context, &marie)
        .await
        .expect("listed")
        .is_empty());
    assert_eq!(
        app.outbox_rows_to("mdurand@example.fr").len(),
        2,
        "enrolled, removed"
    );
}
