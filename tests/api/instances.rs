//! Two instances on one PostgreSQL database (the scale-out path): a session revoked through one
//! is refused by the other at once, through `LISTEN`/`NOTIFY`, where the other's caches alone
//! would accept it for up to 2 s. The second instance is the real binary in a process of its
//! own: instances in one process would share their caches' versions and prove nothing.

use std::time::{Duration, Instant};

use awc::http::Method;

use crate::{
    helpers::{spawn_app, TestApp, TEST_DATABASE_URL},
    service_process::ServiceProcess,
};

/// The target: a revocation is refused elsewhere within this (p99).
const TARGET: Duration = Duration::from_millis(100);
const REVOCATIONS: usize = 40;

async fn start_other_instance(app: &TestApp) -> ServiceProcess {
    ServiceProcess::start(
        &app.client,
        &[
            ("DATABASE_URL", app.database_url.as_str()),
            // The same signing keys: a token of one instance is valid on the other.
            (
                "JWT_KEY_FILE",
                app.context
                    .settings
                    .jwt_key_file
                    .to_str()
                    .expect("a UTF-8 path"),
            ),
            (
                "ID_TOKEN_KEY_FILE",
                app.context
                    .settings
                    .id_token_key_file
                    .to_str()
                    .expect("a UTF-8 path"),
            ),
        ],
    )
    .await
}

async fn me_on(app: &TestApp, other: &ServiceProcess, access: &str) -> u16 {
    app.client
        .get(format!("{}/v1/me", other.address))
        .bearer_auth(access)
        .send()
        .await
        .expect("the second instance answers")
        .status()
        .as_u16()
}

#[actix_web::test]
async fn a_session_revoked_on_one_instance_is_refused_by_the_other_at_once() {
    if std::env::var(TEST_DATABASE_URL).is_err() {
        eprintln!("PostgreSQL only: set {TEST_DATABASE_URL}");
        return;
    }
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let other = start_other_instance(&app).await;

    let mut delays = Vec::with_capacity(REVOCATIONS);
    for _ in 0..REVOCATIONS {
        let (access, _) = app.signed_in(&account).await;
        // The other instance has seen the session live: its cache would vouch for it for 2 s.
        assert_eq!(me_on(&app, &other, &access).await, 200);
        assert_eq!(me_on(&app, &other, &access).await, 200);
        let signed_out = app
            .send(
                app.authed(Method::DELETE, "/v1/sessions/current", &access),
                None,
            )
            .await;
        assert_eq!(signed_out.status.as_u16(), 204);
        let revoked_at = Instant::now();
        while me_on(&app, &other, &access).await != 401 {
            assert!(
                revoked_at.elapsed() < Duration::from_secs(5),
                "the other instance still accepts the session"
            );
            actix_web::rt::time::sleep(Duration::from_millis(1)).await;
        }
        delays.push(revoked_at.elapsed());
    }
    delays.sort();
    let p99 = delays[(delays.len() * 99).div_ceil(100) - 1];
    eprintln!(
        "revocation seen by the other instance: median {:?}, p99 {p99:?}",
        delays[delays.len() / 2]
    );
    assert!(p99 <= TARGET, "p99 {p99:?} over {TARGET:?}: {delays:?}");
}
