//! Several instances on one PostgreSQL database: what a write changed reaches every instance's
//! caches at once, through `LISTEN`/`NOTIFY`.
//!
//! A write transaction that drops cached answers in its own process ([`super::versions`]) also
//! sends, inside the transaction, a notification naming what it changed; PostgreSQL delivers it
//! to every listener when (and only if) the transaction commits. Each instance keeps one
//! connection listening and moves its own versions as notifications arrive: a session revoked
//! on one instance is refused by the others within [`POLL`] and a round trip, instead of the
//! caches' 2 s bound. When the listening connection is lost, that bound is the fallback; once it
//! is back, everything cached is dropped, since notifications sent meanwhile are lost.
//!
//! SQLite needs none of this: one process writes its file.

use std::time::{Duration, Instant};

use diesel::{pg::PgConnection, sql_types::Text, Connection as _, QueryResult, RunQueryDsl as _};

use super::versions::{self, Scope, Touched};

/// The channel of the notifications: channels are per database, so two deployments on one
/// PostgreSQL server but in two databases never hear each other.
pub const CHANNEL: &str = "comptexpert_changes";
/// How often the listener looks for notifications (a non-blocking read of its socket).
pub const POLL: Duration = Duration::from_millis(5);
/// How often the listener checks that its connection still answers: a connection cut without
/// a word (a firewall, a failover) would otherwise go unnoticed.
const HEALTH_CHECK: Duration = Duration::from_secs(2);
/// Waits between two attempts to listen again.
const RECONNECT_MIN: Duration = Duration::from_millis(100);
const RECONNECT_MAX: Duration = Duration::from_secs(5);
/// PostgreSQL refuses payloads of 8000 bytes and more; past this a write says "everything".
const MAX_PAYLOAD: usize = 7_900;
/// The payload of a write that does not say what it changed.
const EVERYTHING: &str = "*";

/// Sends, inside the current transaction, the notification of `touched` (nothing when it
/// touched nothing cached).
pub(crate) fn send_touched(conn: &mut PgConnection, touched: &Touched) -> QueryResult<()> {
    match payload(touched) {
        Some(payload) => send(conn, &payload),
        None => Ok(()),
    }
}

/// Sends, inside the current transaction, that anything may have changed.
pub(crate) fn send_everything(conn: &mut PgConnection) -> QueryResult<()> {
    send(conn, EVERYTHING)
}

fn send(conn: &mut PgConnection, payload: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(payload)
        .execute(conn)
        .map(|_| ())
}

/// `a:<account>`, `r:<region>` and `s:<account>` (its sessions), comma-separated; ids and
/// region codes hold no comma.
fn payload(touched: &Touched) -> Option<String> {
    let mut payload = String::new();
    for (kind, id) in touched.parts() {
        if !payload.is_empty() {
            payload.push(',');
        }
        payload.push(kind);
        payload.push(':');
        payload.push_str(id);
    }
    match payload.len() {
        0 => None,
        n if n > MAX_PAYLOAD => Some(EVERYTHING.to_owned()),
        _ => Some(payload),
    }
}

/// Moves the versions a notification names.
fn apply(payload: &str) {
    if payload == EVERYTHING {
        versions::everything_changed();
        return;
    }
    for part in payload.split(',') {
        match part.split_once(':') {
            Some(("a", id)) => versions::changed(Scope::Account(id)),
            Some(("r", code)) => versions::changed(Scope::Region(code)),
            Some(("s", id)) => versions::changed(Scope::Sessions(id)),
            // Sent by a newer instance during a rolling upgrade: drop everything, never keep
            // what may be stale.
            _ => versions::everything_changed(),
        }
    }
}

/// Starts the listener of this instance on the current actix runtime; it stops with it.
pub fn spawn_listener(database_url: String) {
    actix_web::rt::spawn(async move {
        let mut wait = RECONNECT_MIN;
        loop {
            let url = database_url.clone();
            match actix_web::web::block(move || listen(&url)).await {
                Ok(Ok(conn)) => {
                    // Whatever was sent while no one listened is lost.
                    versions::everything_changed();
                    wait = RECONNECT_MIN;
                    tracing::info!("listening for other instances' changes");
                    let error = follow(conn).await;
                    tracing::warn!(%error, "change notifications lost; caches fall back on their 2 s bound until they are back");
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, retry_in_ms = wait.as_millis() as u64, "cannot listen for other instances' changes")
                }
                Err(error) => tracing::error!(%error, "change listener: blocking pool gone"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RECONNECT_MAX);
        }
    });
}

fn listen(database_url: &str) -> Result<PgConnection, String> {
    let mut conn = PgConnection::establish(database_url).map_err(|e| e.to_string())?;
    diesel::sql_query(format!("LISTEN {CHANNEL}"))
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Applies notifications until the connection fails; returns why.
async fn follow(mut conn: PgConnection) -> String {
    let mut ticker = tokio::time::interval(POLL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut checked = Instant::now();
    loop {
        ticker.tick().await;
        // Non-blocking: libpq reads what the socket holds and hands back what is complete.
        for notification in conn.notifications_iter() {
            match notification {
                Ok(notification) => apply(&notification.payload),
                Err(error) => return error.to_string(),
            }
        }
        if checked.elapsed() >= HEALTH_CHECK {
            let checked_conn = actix_web::web::block(move || {
                diesel::sql_query("SELECT 1")
                    .execute(&mut conn)
                    .map(|_| conn)
            })
            .await;
            conn = match checked_conn {
                Ok(Ok(conn)) => conn,
                Ok(Err(error)) => return error.to_string(),
                Err(error) => return error.to_string(),
            };
            checked = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_names_what_a_write_touched_or_everything_when_too_long() {
        let mut touched = Touched::default();
        assert_eq!(
            payload(&touched),
            None,
            "nothing cached changed: no notification"
        );
        touched.account("acc-1");
        touched.region("paris-ile-de-france");
        touched.sessions("acc-2");
        assert_eq!(
            payload(&touched).as_deref(),
            Some("a:acc-1,r:paris-ile-de-france,s:acc-2")
        );
        let mut many = Touched::default();
        for n in 0..1_000 {
            many.account(&format!("account-{n}"));
        }
        assert_eq!(payload(&many).as_deref(), Some(EVERYTHING));
    }

    #[test]
    fn a_notification_moves_the_versions_it_names() {
        let sessions = versions::Stamp::of_scopes_only(&[Scope::Sessions("n-acc-1")]);
        let account = versions::Stamp::of_scopes_only(&[Scope::Account("n-acc-3")]);
        apply("s:n-acc-1");
        assert!(!sessions.holds());
        apply("a:n-acc-3,r:n-region-1");
        assert!(!account.holds());
        let everything = versions::Stamp::now(&[]);
        apply("x:unknown");
        assert!(!everything.holds(), "an unknown part drops everything");
    }
}
