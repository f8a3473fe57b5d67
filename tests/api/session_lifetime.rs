//! Sessions end for good at their absolute lifetime: refreshes push the expiry back, never past
//! the session's opening plus `SESSION_MAX_HOURS` (or `SESSION_MAX_DAYS_KEPT_ACTIVE`).

use comptexpert::db::schema::sessions;
use diesel::{ExpressionMethods, RunQueryDsl};

use crate::helpers::{spawn_app_with, TestApp};

/// Moves every session's opening `by` into the past, as if that much time had gone by since the
/// sign-in (its stored expiry stays).
fn age_sessions(app: &TestApp, by: chrono::Duration) {
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let now = comptexpert::db::now();
    diesel::update(sessions::table)
        .set(sessions::created_at.eq(now - by))
        .execute(&mut conn)
        .expect("age the sessions");
}

fn refresh_token_of(body: &serde_json::Value) -> String {
    body["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned()
}

#[actix_web::test]
async fn refreshes_never_carry_a_session_past_its_absolute_lifetime() {
    // Arrange: sessions without "keep active" last 2 hours at most (12 h sliding otherwise).
    let app = spawn_app_with(|s| s.session_lifetimes.short_max = chrono::Duration::hours(2)).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let opened = app
        .sign_in(&account.identifier, &account.password, false)
        .await
        .json();
    assert_eq!(
        opened["refresh_expires_in"],
        2 * 3600,
        "the cap, under 12 h"
    );

    // Act 1: a refresh 1 h 50 min after the sign-in.
    age_sessions(&app, chrono::Duration::minutes(110));
    let refreshed = app.refresh(&refresh_token_of(&opened)).await;

    // Assert 1: ten minutes are left, not another 12 hours.
    assert_eq!(refreshed.status.as_u16(), 200);
    let left = refreshed.json()["refresh_expires_in"]
        .as_i64()
        .expect("seconds");
    assert!((590..=600).contains(&left), "{left} s left");

    // Act 2: the cap has passed, though the stored expiry has not (as after the cap was lowered
    // in the settings, or a rotation by an instance that did not apply it).
    age_sessions(&app, chrono::Duration::minutes(121));
    let refused = app.refresh(&refresh_token_of(&refreshed.json())).await;

    // Assert 2: whoever holds the session signs in again.
    refused.assert_problem(401, "invalid_refresh_token");
    let again = app
        .sign_in(&account.identifier, &account.password, false)
        .await;
    assert_eq!(again.status.as_u16(), 201);
}

#[actix_web::test]
async fn a_session_kept_active_slides_thirty_days_within_its_ninety() {
    // Arrange: the defaults.
    let app = spawn_app_with(|_| {}).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let opened = app
        .sign_in(&account.identifier, &account.password, true)
        .await
        .json();
    assert_eq!(opened["refresh_expires_in"], 30 * 24 * 3600);

    // Act: a refresh 80 days after the sign-in.
    age_sessions(&app, chrono::Duration::days(80));
    let refreshed = app.refresh(&refresh_token_of(&opened)).await;

    // Assert: the ten days left, not thirty.
    assert_eq!(refreshed.status.as_u16(), 200);
    let left = refreshed.json()["refresh_expires_in"]
        .as_i64()
        .expect("seconds");
    let ten_days = 10 * 24 * 3600;
    assert!((ten_days - 10..=ten_days).contains(&left), "{left} s left");
}
