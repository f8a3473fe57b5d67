//! The maintenance task on a database that has served for a year: it deletes what the README's
//! retention table says, and nothing else. The expected survivors are worked out here from the
//! table's rules, row by row, not by the code under test.

use chrono::{Duration, NaiveDateTime};
use comptexpert::db::{
    retention::{Lease, Retention},
    schema::*,
    DbConnection,
};
use diesel::prelude::*;

use crate::helpers::{spawn_app, TestApp};

fn connection(app: &TestApp) -> comptexpert::db::PooledConnection {
    comptexpert::db::build_pool(&app.database_url)
        .expect("pool")
        .get()
        .expect("connection")
}

/// Keys of `rows` that `keep` keeps, sorted.
fn kept<T>(rows: &[T], key: impl Fn(&T) -> String, keep: impl Fn(&T) -> bool) -> Vec<String> {
    let mut keys: Vec<String> = rows.iter().filter(|r| keep(r)).map(key).collect();
    keys.sort();
    keys
}

fn sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys
}

struct SimSession {
    id: String,
    keep_active: bool,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
}

struct SimToken {
    hash: String,
    session: usize,
    issued_at: NaiveDateTime,
    rotated_at: Option<NaiveDateTime>,
}

/// Sessions opened every day for a year and a bit, each refreshed every two hours while in use
/// (a day when not kept active, three days when kept), one in five signed out, the others left
/// to expire; a sign-in event for each.
fn a_year_of_sessions(now: NaiveDateTime) -> (Vec<SimSession>, Vec<SimToken>) {
    let (mut sessions, mut tokens) = (Vec::new(), Vec::new());
    for day in 0..=380i64 {
        let keep_active = day % 2 == 0;
        let created_at = now - Duration::days(day) - Duration::hours(1);
        let in_use = Duration::hours(if keep_active { 72 } else { 24 });
        let mut refreshed = Vec::new();
        let mut at = created_at;
        while at <= created_at + in_use && at <= now {
            refreshed.push(at);
            at += Duration::hours(2);
        }
        let last = *refreshed.last().expect("one issue at least");
        let index = sessions.len();
        for (k, issued_at) in refreshed.iter().enumerate() {
            tokens.push(SimToken {
                hash: format!("token-{day}-{k}"),
                session: index,
                issued_at: *issued_at,
                rotated_at: refreshed.get(k + 1).copied(),
            });
        }
        let sliding = Duration::hours(if keep_active { 30 * 24 } else { 12 });
        sessions.push(SimSession {
            id: format!("session-{day:03}"),
            keep_active,
            created_at,
            expires_at: last + sliding,
            revoked_at: (day % 5 == 0).then_some(last),
        });
    }
    (sessions, tokens)
}

fn insert_sessions(
    conn: &mut DbConnection,
    account_id: &str,
    sessions_: &[SimSession],
    tokens: &[SimToken],
) {
    for session in sessions_ {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&session.id),
                sessions::account_id.eq(account_id),
                sessions::amr.eq("pwd"),
                sessions::keep_active.eq(session.keep_active),
                sessions::client_address.eq("192.0.2.10"),
                sessions::created_at.eq(session.created_at),
                sessions::last_used_at.eq(session.created_at),
                sessions::expires_at.eq(session.expires_at),
                sessions::revoked_at.eq(session.revoked_at),
            ))
            .execute(conn)
            .expect("a session");
        diesel::insert_into(security_events::table)
            .values((
                security_events::id.eq(format!("event-{}", session.id)),
                security_events::account_id.eq(account_id),
                security_events::kind.eq("sign_in"),
                security_events::method.eq("pwd"),
                security_events::client_address.eq("192.0.2.10"),
                security_events::session_id.eq(&session.id),
                security_events::created_at.eq(session.created_at),
            ))
            .execute(conn)
            .expect("an event");
    }
    // Row by row (the backend-neutral connection has no multi-row insert), in one transaction.
    conn.transaction(|conn| {
        for t in tokens {
            diesel::insert_into(refresh_tokens::table)
                .values((
                    refresh_tokens::token_hash.eq(&t.hash),
                    refresh_tokens::session_id.eq(&sessions_[t.session].id),
                    refresh_tokens::issued_at.eq(t.issued_at),
                    refresh_tokens::rotated_at.eq(t.rotated_at),
                ))
                .execute(conn)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("refresh tokens");
}

#[actix_web::test]
async fn a_year_of_use_loses_what_the_retention_table_says_and_nothing_else() {
    // Arrange: a year of sign-ins and refreshes, links, emails, limits, challenges, webhooks…
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (_, live_refresh) = app.signed_in(&account).await;
    let now = comptexpert::db::now();
    let mut conn = connection(&app);
    let (sims, tokens) = a_year_of_sessions(now);
    insert_sessions(&mut conn, &account.id, &sims, &tokens);

    // One of each of the other kinds per day (or per hour), from fresh to long past.
    let days: Vec<i64> = (0..=800).step_by(3).collect();
    let hours: Vec<i64> = (0..=60).collect();
    let ago_days = |d: i64| now - Duration::days(d) - Duration::minutes(30);
    let ago_hours = |h: i64| now - Duration::hours(h) - Duration::minutes(30);
    for &d in &days {
        let created = ago_days(d);
        diesel::insert_into(password_tokens::table)
            .values((
                password_tokens::id.eq(format!("link-{d:03}")),
                password_tokens::account_id.eq(&account.id),
                password_tokens::token_hash.eq(format!("link-hash-{d}")),
                password_tokens::purpose.eq("reset"),
                password_tokens::created_at.eq(created),
                password_tokens::expires_at.eq(created + Duration::hours(48)),
                password_tokens::used_at.eq((d % 2 == 0).then_some(created + Duration::hours(1))),
            ))
            .execute(&mut conn)
            .expect("a link");
        diesel::insert_into(email_verifications::table)
            .values((
                email_verifications::id.eq(format!("verify-{d:03}")),
                email_verifications::account_id.eq(&account.id),
                email_verifications::token_hash.eq(format!("verify-hash-{d}")),
                email_verifications::new_email.eq("nouvelle@cabinet.fr"),
                email_verifications::created_at.eq(created),
                email_verifications::expires_at.eq(created + Duration::hours(24)),
            ))
            .execute(&mut conn)
            .expect("a verification");
        // Sent, dead, or (the most recent days) still pending after failed attempts.
        let (sent_at, dead_at) = match d % 3 {
            _ if d < 4 => (None, None),
            0 => (None, Some(created + Duration::hours(20))),
            _ => (Some(created + Duration::minutes(1)), None),
        };
        diesel::insert_into(outbox_emails::table)
            .values((
                outbox_emails::id.eq(format!("email-{d:03}")),
                outbox_emails::kind.eq("password_reset"),
                outbox_emails::recipient.eq("jeanne@cabinet.fr"),
                outbox_emails::subject.eq("Réinitialisation"),
                outbox_emails::text_body.eq(""),
                outbox_emails::html_body.eq(""),
                outbox_emails::created_at.eq(created),
                outbox_emails::attempts.eq(3),
                // Not due before the test ends: the dispatcher leaves the pending ones alone.
                outbox_emails::next_attempt_at.eq(now + Duration::days(1)),
                outbox_emails::sent_at.eq(sent_at),
                outbox_emails::dead_at.eq(dead_at),
            ))
            .execute(&mut conn)
            .expect("an email");
        diesel::insert_into(webhook_events::table)
            .values((
                webhook_events::provider.eq("test"),
                webhook_events::event_id.eq(format!("evt-{d:03}")),
                webhook_events::event_type.eq("payment.succeeded"),
                webhook_events::received_at.eq(created),
                webhook_events::outcome.eq("applied"),
            ))
            .execute(&mut conn)
            .expect("a webhook event");
    }
    diesel::insert_into(oauth_clients::table)
        .values((
            oauth_clients::client_id.eq("annuaire"),
            oauth_clients::name.eq("Annuaire"),
            oauth_clients::confidential.eq(false),
            oauth_clients::redirect_uris.eq("https://annuaire.example/cb"),
            oauth_clients::post_logout_redirect_uris.eq(""),
            oauth_clients::scopes.eq("openid"),
            oauth_clients::id_token_alg.eq("RS256"),
            oauth_clients::access_token_seconds.eq(900),
            oauth_clients::refresh_token_seconds.eq(3600),
            oauth_clients::created_at.eq(now),
            oauth_clients::updated_at.eq(now),
        ))
        .execute(&mut conn)
        .expect("a client");
    for &h in &hours {
        let at = ago_hours(h);
        diesel::insert_into(login_requests::table)
            .values((
                login_requests::id.eq(format!("login-{h:02}")),
                login_requests::client_id.eq("annuaire"),
                login_requests::redirect_uri.eq("https://annuaire.example/cb"),
                login_requests::scope.eq("openid"),
                login_requests::status.eq("pending"),
                login_requests::created_at.eq(at),
                login_requests::expires_at.eq(at + Duration::minutes(10)),
            ))
            .execute(&mut conn)
            .expect("a login request");
        diesel::insert_into(authorization_codes::table)
            .values((
                authorization_codes::code_hash.eq(format!("code-{h:02}")),
                authorization_codes::client_id.eq("annuaire"),
                authorization_codes::redirect_uri.eq("https://annuaire.example/cb"),
                authorization_codes::account_id.eq(&account.id),
                // Opened an hour ago and kept: only the codes' own rule applies.
                authorization_codes::session_id.eq("session-000"),
                authorization_codes::scope.eq("openid"),
                authorization_codes::created_at.eq(at),
                authorization_codes::expires_at.eq(at + Duration::seconds(60)),
            ))
            .execute(&mut conn)
            .expect("a code");
        diesel::insert_into(idempotency_records::table)
            .values((
                idempotency_records::scope.eq("POST /v1/payments"),
                idempotency_records::idempotency_key.eq(format!("key-{h:02}")),
                idempotency_records::request_hash.eq("hash"),
                idempotency_records::status.eq(201),
                idempotency_records::body.eq("{}"),
                idempotency_records::created_at.eq(at),
                // The oldest one's request still holds its lease.
                idempotency_records::locked_until
                    .eq((h == 60).then_some(now + Duration::seconds(20))),
            ))
            .execute(&mut conn)
            .expect("an idempotency record");
        diesel::insert_into(rate_limit_counters::table)
            .values((
                rate_limit_counters::bucket.eq("sign_in:192.0.2.10"),
                rate_limit_counters::window_start.eq(at),
                rate_limit_counters::hits.eq(3),
            ))
            .execute(&mut conn)
            .expect("a window");
        diesel::insert_into(login_throttles::table)
            .values((
                login_throttles::identifier.eq(format!("someone-{h:02}")),
                login_throttles::failures.eq(6),
                login_throttles::window_start.eq(at),
                // The oldest one is still locked.
                login_throttles::locked_until.eq((h == 60).then_some(now + Duration::minutes(5))),
            ))
            .execute(&mut conn)
            .expect("a throttle");
        diesel::insert_into(signexpert_challenges::table)
            .values((
                signexpert_challenges::id.eq(format!("x509-{h:02}")),
                signexpert_challenges::nonce.eq(format!("nonce-{h}")),
                signexpert_challenges::created_at.eq(at),
                signexpert_challenges::expires_at.eq(at + Duration::minutes(5)),
            ))
            .execute(&mut conn)
            .expect("a Signexpert challenge");
        diesel::insert_into(expertpass_challenges::table)
            .values((
                expertpass_challenges::id.eq(format!("qr-{h:02}")),
                expertpass_challenges::nonce.eq(format!("qr-nonce-{h}")),
                expertpass_challenges::poll_token_hash.eq(format!("poll-{h}")),
                expertpass_challenges::status.eq("pending"),
                expertpass_challenges::keep_active.eq(false),
                expertpass_challenges::created_at.eq(at),
                expertpass_challenges::expires_at.eq(at + Duration::minutes(2)),
                expertpass_challenges::number.eq(42),
                expertpass_challenges::number_choices.eq("17,42,88"),
            ))
            .execute(&mut conn)
            .expect("an Expertpass challenge");
    }
    let before_sessions: Vec<String> = sessions::table
        .select(sessions::id)
        .load(&mut conn)
        .expect("sessions");

    // Act
    let purged = comptexpert::flows::maintenance::run_now(&app.context)
        .await
        .expect("maintenance runs");

    // Assert, table by table, against the retention table's rules.
    let r = Retention::DEFAULT;
    let session_kept = |s: &SimSession| {
        !(s.expires_at < now - r.ended_session
            || s.revoked_at.is_some_and(|t| t < now - r.ended_session))
    };
    let mut expected_sessions = kept(&sims, |s| s.id.clone(), session_kept);
    // The live session of the real sign-in, and any other the app made.
    expected_sessions.extend(
        before_sessions
            .iter()
            .filter(|id| !id.starts_with("session-"))
            .cloned(),
    );
    let expected_sessions = sorted(expected_sessions);
    assert_eq!(
        sorted(
            sessions::table
                .select(sessions::id)
                .load(&mut conn)
                .expect("sessions")
        ),
        expected_sessions
    );
    assert!(expected_sessions.len() > 30 && expected_sessions.len() < sims.len());

    let remaining_tokens: Vec<String> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.like("token-%"))
        .select(refresh_tokens::token_hash)
        .load(&mut conn)
        .expect("tokens");
    let expected_tokens = kept(
        &tokens,
        |t| t.hash.clone(),
        |t| {
            session_kept(&sims[t.session])
                && t.rotated_at
                    .is_none_or(|at| at >= now - r.rotated_refresh_token)
        },
    );
    assert_eq!(sorted(remaining_tokens), expected_tokens);
    assert!(
        tokens.len() > 10 * expected_tokens.len(),
        "{} of {} tokens kept",
        expected_tokens.len(),
        tokens.len()
    );

    let expected_events = kept(
        &sims,
        |s| format!("event-{}", s.id),
        |s| s.created_at >= now - r.security_event,
    );
    let remaining_events: Vec<String> = security_events::table
        .filter(security_events::id.like("event-%"))
        .select(security_events::id)
        .load(&mut conn)
        .expect("events");
    assert_eq!(sorted(remaining_events), expected_events);

    let link_kept = |d: &i64| {
        let created = ago_days(*d);
        let used = (d % 2 == 0).then_some(created + Duration::hours(1));
        !(created + Duration::hours(48) < now - r.spent_link
            || used.is_some_and(|u| u < now - r.spent_link))
    };
    assert_eq!(
        sorted(
            password_tokens::table
                .select(password_tokens::id)
                .load(&mut conn)
                .expect("links")
        ),
        kept(&days, |d| format!("link-{d:03}"), link_kept)
    );
    assert_eq!(
        sorted(
            email_verifications::table
                .select(email_verifications::id)
                .load(&mut conn)
                .expect("verifications")
        ),
        kept(
            &days,
            |d| format!("verify-{d:03}"),
            |d| ago_days(*d) + Duration::hours(24) >= now - r.spent_link
        )
    );
    assert_eq!(
        sorted(
            outbox_emails::table
                .select(outbox_emails::id)
                .load(&mut conn)
                .expect("emails")
        ),
        kept(
            &days,
            |d| format!("email-{d:03}"),
            |d| {
                let created = ago_days(*d);
                match d % 3 {
                    _ if *d < 4 => true,
                    0 => created + Duration::hours(20) >= now - r.finished_email,
                    _ => created + Duration::minutes(1) >= now - r.finished_email,
                }
            }
        )
    );
    assert_eq!(
        sorted(
            webhook_events::table
                .select(webhook_events::event_id)
                .load(&mut conn)
                .expect("webhook events")
        ),
        kept(
            &days,
            |d| format!("evt-{d:03}"),
            |d| ago_days(*d) >= now - r.webhook_event
        )
    );
    let fresh = |h: &i64, period: Duration| ago_hours(*h) >= now - period;
    assert_eq!(
        sorted(
            idempotency_records::table
                .select(idempotency_records::idempotency_key)
                .load(&mut conn)
                .expect("records")
        ),
        kept(
            &hours,
            |h| format!("key-{h:02}"),
            |h| *h == 60 || fresh(h, r.idempotency_record)
        )
    );
    assert_eq!(
        rate_limit_counters::table
            .filter(rate_limit_counters::bucket.eq("sign_in:192.0.2.10"))
            .count()
            .get_result::<i64>(&mut conn)
            .expect("windows") as usize,
        hours.iter().filter(|h| fresh(h, r.limit_window)).count()
    );
    assert_eq!(
        sorted(
            login_throttles::table
                .select(login_throttles::identifier)
                .load(&mut conn)
                .expect("throttles")
        ),
        kept(
            &hours,
            |h| format!("someone-{h:02}"),
            |h| *h == 60 || fresh(h, r.limit_window)
        )
    );
    assert_eq!(
        sorted(
            signexpert_challenges::table
                .select(signexpert_challenges::id)
                .load(&mut conn)
                .expect("challenges")
        ),
        kept(
            &hours,
            |h| format!("x509-{h:02}"),
            |h| ago_hours(*h) + Duration::minutes(5) >= now - r.challenge
        )
    );
    assert_eq!(
        sorted(
            expertpass_challenges::table
                .select(expertpass_challenges::id)
                .load(&mut conn)
                .expect("challenges")
        ),
        kept(
            &hours,
            |h| format!("qr-{h:02}"),
            |h| ago_hours(*h) + Duration::minutes(2) >= now - r.challenge
        )
    );
    assert_eq!(
        sorted(
            login_requests::table
                .select(login_requests::id)
                .load(&mut conn)
                .expect("login requests")
        ),
        kept(
            &hours,
            |h| format!("login-{h:02}"),
            |h| ago_hours(*h) + Duration::minutes(10) >= now - r.challenge
        )
    );
    assert_eq!(
        sorted(
            authorization_codes::table
                .select(authorization_codes::code_hash)
                .load(&mut conn)
                .expect("codes")
        ),
        kept(
            &hours,
            |h| format!("code-{h:02}"),
            |h| ago_hours(*h) + Duration::seconds(60) >= now - r.challenge
        )
    );
    assert_eq!(
        oauth_clients::table
            .count()
            .get_result::<i64>(&mut conn)
            .expect("clients"),
        1,
        "registrations are not purged"
    );
    assert!(purged.total() > 0);
    assert_eq!(
        purged.sessions,
        before_sessions.len() - expected_sessions.len(),
        "{purged}"
    );

    // What a user would notice: the live session still refreshes, and a second run finds nothing.
    assert_eq!(app.refresh(&live_refresh).await.status.as_u16(), 200);
    let again = comptexpert::flows::maintenance::run_now(&app.context)
        .await
        .expect("maintenance runs again");
    assert_eq!(again.total(), 0, "{again}");
}

#[actix_web::test]
async fn one_instance_at_a_time_holds_the_maintenance_lease() {
    let app = spawn_app().await;
    let mut conn = connection(&app);
    let now = comptexpert::db::now();
    let hour = Duration::hours(1);

    assert!(Lease::take(&mut conn, "maintenance-test", "a", now, hour).expect("take"));
    assert!(!Lease::take(&mut conn, "maintenance-test", "b", now, hour).expect("refused"));
    assert!(
        Lease::take(
            &mut conn,
            "maintenance-test",
            "a",
            now + Duration::minutes(59),
            hour
        )
        .expect("renewed"),
        "its holder takes it again"
    );
    assert!(
        !Lease::take(&mut conn, "maintenance-test", "b", now + hour, hour).expect("still held"),
        "renewed for an hour from its renewal"
    );
    assert!(
        Lease::take(
            &mut conn,
            "maintenance-test",
            "b",
            now + Duration::minutes(120),
            hour
        )
        .expect("taken over"),
        "a holder that stopped renewing is replaced"
    );

    let period = std::time::Duration::from_secs(3600);
    let first = comptexpert::flows::maintenance::run_if_leased(&app.context, "one", period)
        .await
        .expect("runs");
    let second = comptexpert::flows::maintenance::run_if_leased(&app.context, "two", period)
        .await
        .expect("skips");
    assert!(first.is_some());
    assert!(second.is_none(), "the other instance skips its turn");
}
