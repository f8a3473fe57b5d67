//! The email outbox: messages written in the same transaction as the change that caused them,
//! then delivered by the dispatcher (`crate::mail::dispatcher`).
//!
//! Several dispatchers (one per instance) may share a database. A message is *claimed* by a
//! conditional update before it is sent, so that at most one instance sends it at a time; the
//! claim is a lease that expires, so a crashed instance's messages are picked up again.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{now, schema::outbox_emails, DbConnection};

/// The outbox at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    /// Still to send (first attempt or retries).
    pub pending: i64,
    /// Delivered.
    pub sent: i64,
    /// Given up (`dead_at` set).
    pub dead: i64,
}

/// The longest error text kept in `last_error` (SMTP answers can be long; only the gist matters).
pub const LAST_ERROR_MAX_CHARS: usize = 500;

/// A message in the outbox, sent or not.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox_emails)]
pub struct OutboxEmail {
    /// UUIDv7, so that ids sort in creation order.
    pub id: String,
    /// Which template produced the message (`account_activation`…), for logs and statistics.
    pub kind: String,
    /// The one address the message goes to.
    pub recipient: String,
    /// Subject line, already rendered.
    pub subject: String,
    /// Plain-text part; blanked once sent because it may hold one-time links.
    pub text_body: String,
    /// HTML part; blanked once sent, like the text part.
    pub html_body: String,
    /// When the message was enqueued (UTC).
    pub created_at: NaiveDateTime,
    /// Failed delivery attempts so far.
    pub attempts: i32,
    /// The message is not tried again before this instant (UTC).
    pub next_attempt_at: NaiveDateTime,
    /// While in the future, a dispatcher holds the message and the others leave it alone.
    pub locked_until: Option<NaiveDateTime>,
    /// When the message was handed to the transport; `None` while it is still to send.
    pub sent_at: Option<NaiveDateTime>,
    /// Why the last attempt failed, truncated to [`LAST_ERROR_MAX_CHARS`].
    pub last_error: Option<String>,
    /// When the message was given up: refused for good by the mail server, or out of attempts.
    /// A dead message is never tried again unless an operator queues it again ([`Self::revive`]).
    pub dead_at: Option<NaiveDateTime>,
}

/// `now + duration`, rounded up to the whole second: stored instants are truncated to the second
/// on both backends, and rounding down could make a retry due before its backoff has elapsed.
fn later(now: NaiveDateTime, duration: Duration) -> NaiveDateTime {
    let seconds = duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0));
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    now.checked_add_signed(
        chrono::TimeDelta::try_seconds(seconds).unwrap_or(chrono::TimeDelta::MAX),
    )
    .unwrap_or(NaiveDateTime::MAX)
}

/// The first `max` characters of `text` (never splits a character).
fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}

impl OutboxEmail {
    /// A message ready to send now, not yet stored.
    pub fn new(
        kind: &str,
        recipient: &str,
        subject: String,
        text_body: String,
        html_body: String,
    ) -> Self {
        let created_at = now();
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            kind: kind.to_owned(),
            recipient: recipient.to_owned(),
            subject,
            text_body,
            html_body,
            created_at,
            attempts: 0,
            next_attempt_at: created_at,
            locked_until: None,
            sent_at: None,
            last_error: None,
            dead_at: None,
        }
    }

    /// Stores the message; call it inside the transaction of the change that caused it.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(outbox_emails::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// One message by id.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        outbox_emails::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Up to `limit` messages that are due and not held by a dispatcher, oldest first.
    pub fn due(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Self>> {
        let now = now();
        outbox_emails::table
            .filter(outbox_emails::sent_at.is_null())
            .filter(outbox_emails::dead_at.is_null())
            .filter(outbox_emails::next_attempt_at.le(now))
            .filter(
                outbox_emails::locked_until
                    .is_null()
                    .or(outbox_emails::locked_until.lt(now)),
            )
            .order((outbox_emails::created_at, outbox_emails::id))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Takes the message for `lease`; `true` when this caller won it and may send it.
    ///
    /// A conditional update rather than `SELECT … FOR UPDATE SKIP LOCKED`, which SQLite lacks:
    /// both backends apply one `UPDATE` atomically, so of two dispatchers racing for the same
    /// message exactly one sees a row affected. Re-checking `next_attempt_at` keeps a message
    /// that another instance has just failed (and pushed back) from being retried at once.
    pub fn claim(conn: &mut DbConnection, id: &str, lease: Duration) -> QueryResult<bool> {
        let now = now();
        let affected = diesel::update(outbox_emails::table.find(id))
            .filter(outbox_emails::sent_at.is_null())
            .filter(outbox_emails::dead_at.is_null())
            .filter(outbox_emails::next_attempt_at.le(now))
            .filter(
                outbox_emails::locked_until
                    .is_null()
                    .or(outbox_emails::locked_until.lt(now)),
            )
            .set(outbox_emails::locked_until.eq(later(now, lease)))
            .execute(conn)?;
        Ok(affected == 1)
    }

    /// Whether a message of one of `kinds` was queued to `recipient` at or after `since`.
    pub fn queued_since(
        conn: &mut DbConnection,
        recipient: &str,
        kinds: &[&str],
        since: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            outbox_emails::table
                .filter(outbox_emails::recipient.eq(recipient))
                .filter(outbox_emails::kind.eq_any(kinds))
                .filter(outbox_emails::created_at.ge(since)),
        ))
        .get_result(conn)
    }

    /// Records delivery and blanks both bodies: they may hold one-time links, and a sent message
    /// has no reason to keep them (data minimisation). The subject and recipient stay for audit.
    pub fn mark_sent(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
        diesel::update(outbox_emails::table.find(id))
            .filter(outbox_emails::sent_at.is_null())
            .set((
                outbox_emails::sent_at.eq(now()),
                // A slow delivery that another instance gave up meanwhile went out after all.
                outbox_emails::dead_at.eq(None::<NaiveDateTime>),
                outbox_emails::locked_until.eq(None::<NaiveDateTime>),
                outbox_emails::text_body.eq(""),
                outbox_emails::html_body.eq(""),
            ))
            .execute(conn)
            .map(drop)
    }

    /// How many emails wait to be sent, were sent, and were given up (the metrics' scrape).
    pub fn counts(conn: &mut DbConnection) -> QueryResult<OutboxCounts> {
        let pending = outbox_emails::table
            .filter(outbox_emails::sent_at.is_null())
            .filter(outbox_emails::dead_at.is_null())
            .count()
            .get_result(conn)?;
        let sent = outbox_emails::table
            .filter(outbox_emails::sent_at.is_not_null())
            .count()
            .get_result(conn)?;
        let dead = outbox_emails::table
            .filter(outbox_emails::dead_at.is_not_null())
            .count()
            .get_result(conn)?;
        Ok(OutboxCounts {
            pending,
            sent,
            dead,
        })
    }

    /// Records a last failed attempt and gives the message up: it is never tried again unless
    /// [`Self::revive`]d. Its bodies are kept, so that it can be.
    pub fn mark_dead(conn: &mut DbConnection, id: &str, error: &str) -> QueryResult<()> {
        diesel::update(outbox_emails::table.find(id))
            .filter(outbox_emails::sent_at.is_null())
            .set((
                outbox_emails::attempts.eq(outbox_emails::attempts + 1),
                outbox_emails::last_error.eq(truncate_chars(error, LAST_ERROR_MAX_CHARS)),
                outbox_emails::dead_at.eq(now()),
                outbox_emails::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .map(drop)
    }

    /// The dead messages, most recently given up first, at most `limit`.
    pub fn dead(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Self>> {
        outbox_emails::table
            .filter(outbox_emails::dead_at.is_not_null())
            .filter(outbox_emails::sent_at.is_null())
            .order((outbox_emails::dead_at.desc(), outbox_emails::id.desc()))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Queues a dead message again, due now with a fresh count of attempts (its last error stays
    /// until the next attempt). `false` when `id` is no dead message.
    pub fn revive(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
        let now = now();
        let revived = diesel::update(outbox_emails::table.find(id))
            .filter(outbox_emails::dead_at.is_not_null())
            .filter(outbox_emails::sent_at.is_null())
            .set((
                outbox_emails::dead_at.eq(None::<NaiveDateTime>),
                outbox_emails::attempts.eq(0),
                outbox_emails::next_attempt_at.eq(now),
                outbox_emails::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        Ok(revived == 1)
    }

    /// Records a failed attempt and releases the message until `retry_in` from now.
    pub fn mark_failed(
        conn: &mut DbConnection,
        id: &str,
        error: &str,
        retry_in: Duration,
    ) -> QueryResult<()> {
        let now = now();
        diesel::update(outbox_emails::table.find(id))
            .filter(outbox_emails::sent_at.is_null())
            .set((
                outbox_emails::attempts.eq(outbox_emails::attempts + 1),
                outbox_emails::last_error.eq(truncate_chars(error, LAST_ERROR_MAX_CHARS)),
                outbox_emails::next_attempt_at.eq(later(now, retry_in)),
                outbox_emails::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{build_pool, run_migrations};

    fn connection(dir: &std::path::Path) -> crate::db::PooledConnection {
        let pool =
            build_pool(&format!("sqlite://{}", dir.join("outbox.db").display())).expect("pool");
        let mut conn = pool.get().expect("connection");
        run_migrations(&mut conn).expect("migrations");
        conn
    }

    fn message(recipient: &str) -> OutboxEmail {
        OutboxEmail::new(
            "test",
            recipient,
            "Sujet".into(),
            "texte".into(),
            "<p>html</p>".into(),
        )
    }

    /// A fresh database (alive as long as the directory) holding one queued message.
    fn one_queued_message() -> (tempfile::TempDir, crate::db::PooledConnection, OutboxEmail) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut conn = connection(dir.path());
        let email = message("marie@exemple.fr");
        email.insert(&mut conn).expect("insert");
        (dir, conn, email)
    }

    fn claim(conn: &mut crate::db::PooledConnection, email: &OutboxEmail, lease: Duration) -> bool {
        OutboxEmail::claim(conn, &email.id, lease).expect("claim")
    }

    #[test]
    fn a_message_is_claimed_once_until_its_lease_ends() {
        let (_dir, mut conn, email) = one_queued_message();

        assert_eq!(
            OutboxEmail::due(&mut conn, 10).expect("due"),
            vec![email.clone()]
        );
        assert!(claim(&mut conn, &email, Duration::from_secs(60)));
        assert!(!claim(&mut conn, &email, Duration::from_secs(60)));
        assert!(OutboxEmail::due(&mut conn, 10).expect("due").is_empty());
    }

    #[test]
    fn a_failed_message_waits_for_its_backoff_and_keeps_a_short_error() {
        let (_dir, mut conn, email) = one_queued_message();
        assert!(claim(&mut conn, &email, Duration::from_secs(60)));

        let long_error = "é".repeat(2 * LAST_ERROR_MAX_CHARS);
        OutboxEmail::mark_failed(&mut conn, &email.id, &long_error, Duration::from_secs(3600))
            .expect("fail");

        let stored = OutboxEmail::find(&mut conn, &email.id)
            .expect("find")
            .expect("stored");
        assert_eq!(stored.attempts, 1);
        assert_eq!(stored.locked_until, None);
        assert_eq!(
            stored.last_error.map(|e| e.chars().count()),
            Some(LAST_ERROR_MAX_CHARS)
        );
        assert!(stored.next_attempt_at > email.next_attempt_at);
        assert!(OutboxEmail::due(&mut conn, 10).expect("due").is_empty());
        assert!(!claim(&mut conn, &email, Duration::from_secs(60)));
    }

    #[test]
    fn a_sent_message_forgets_its_bodies_and_is_never_due_again() {
        let (_dir, mut conn, email) = one_queued_message();
        assert!(claim(&mut conn, &email, Duration::from_secs(60)));

        OutboxEmail::mark_sent(&mut conn, &email.id).expect("sent");

        let stored = OutboxEmail::find(&mut conn, &email.id)
            .expect("find")
            .expect("stored");
        assert!(stored.sent_at.is_some());
        assert_eq!(
            (stored.text_body.as_str(), stored.html_body.as_str()),
            ("", "")
        );
        assert_eq!(stored.subject, "Sujet");
        assert!(OutboxEmail::due(&mut conn, 10).expect("due").is_empty());
        assert!(!claim(&mut conn, &email, Duration::ZERO));
    }

    #[test]
    fn a_dead_message_is_never_due_until_revived_and_is_counted_apart() {
        let (_dir, mut conn, email) = one_queued_message();
        assert!(claim(&mut conn, &email, Duration::from_secs(60)));

        OutboxEmail::mark_dead(&mut conn, &email.id, "550 5.1.1 no such user").expect("dead");

        let stored = OutboxEmail::find(&mut conn, &email.id)
            .expect("find")
            .expect("stored");
        assert!(stored.dead_at.is_some());
        assert_eq!(stored.attempts, 1);
        assert_eq!(
            stored.text_body, "texte",
            "kept, so that it can be sent again"
        );
        assert!(OutboxEmail::due(&mut conn, 10).expect("due").is_empty());
        assert!(!claim(&mut conn, &email, Duration::ZERO));
        assert_eq!(
            OutboxEmail::counts(&mut conn).expect("counts"),
            OutboxCounts {
                pending: 0,
                sent: 0,
                dead: 1
            }
        );
        assert_eq!(
            OutboxEmail::dead(&mut conn, 10)
                .expect("dead")
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            vec![email.id.as_str()]
        );

        assert!(OutboxEmail::revive(&mut conn, &email.id).expect("revive"));
        assert!(!OutboxEmail::revive(&mut conn, &email.id).expect("twice"));
        let due = OutboxEmail::due(&mut conn, 10).expect("due");
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].attempts, due[0].dead_at), (0, None));
        assert_eq!(OutboxEmail::counts(&mut conn).expect("counts").pending, 1);
    }

    #[test]
    fn backoff_instants_round_up_to_the_second() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("instant");
        assert_eq!(
            later(t, Duration::from_millis(50)),
            t + chrono::TimeDelta::seconds(1)
        );
        assert_eq!(
            later(t, Duration::from_secs(5)),
            t + chrono::TimeDelta::seconds(5)
        );
        assert_eq!(later(t, Duration::MAX), NaiveDateTime::MAX);
    }
}
