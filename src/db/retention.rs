//! What each table keeps, and for how long (the README's retention table says the same, with the
//! personal data each holds). [`purge`] deletes the rows past their period; the maintenance task
//! (`crate::flows::maintenance`) runs it under a [`Lease`] so that one instance at a time does.
//!
//! Not purged here: the register, accounts, declarations, payments and the ledger (the Ordre's
//! records and accounting); recovery requests, deleted by the transaction that carries them out.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{
    is_unique_violation,
    schema::{
        authorization_codes, cas_tickets, email_verifications, expertpass_challenges,
        idempotency_records, leases, login_requests, login_throttles, oidc_grants,
        oidc_refresh_tokens, outbox_cas_logouts, outbox_emails, outbox_logouts, password_tokens,
        rate_limit_counters, refresh_tokens, security_events, sessions, signexpert_challenges,
        webhook_events,
    },
    DbConnection,
};

/// How long each kind of row is kept once it is of no further use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// A rotated refresh token, after its rotation: presenting it again within this period is
    /// detected as a theft and revokes its session; later it is merely unknown.
    pub rotated_refresh_token: Duration,
    /// A session, after it ended (expired or revoked), with its refresh tokens.
    pub ended_session: Duration,
    /// An event of an account's security history (sign-ins with their addresses, changes).
    pub security_event: Duration,
    /// A password or email link, after it expired or was used (support can still tell "used" from
    /// "expired" meanwhile).
    pub spent_link: Duration,
    /// An Expertpass or Signexpert challenge, or a login request or authorization code of the
    /// OpenID Connect provider, after it expired.
    pub challenge: Duration,
    /// An idempotency record (with the answer it replays), after it was made.
    pub idempotency_record: Duration,
    /// A rate-limit window or a sign-in throttle, after it started (once no lock runs).
    pub limit_window: Duration,
    /// A sent or dead email (recipient, subject; sent bodies are already blank), after it was sent
    /// or given up.
    pub finished_email: Duration,
    /// A payment provider's notification, after it was received.
    pub webhook_event: Duration,
}

impl Retention {
    /// The periods of the README's table.
    pub const DEFAULT: Self = Self {
        rotated_refresh_token: Duration::days(7),
        ended_session: Duration::days(30),
        security_event: Duration::days(365),
        spent_link: Duration::days(7),
        challenge: Duration::days(1),
        idempotency_record: Duration::hours(24),
        limit_window: Duration::days(1),
        finished_email: Duration::days(30),
        webhook_event: Duration::days(730),
    };
}

/// Rows deleted by one [`purge`], per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    pub refresh_tokens: usize,
    pub sessions: usize,
    pub security_events: usize,
    pub password_tokens: usize,
    pub email_verifications: usize,
    pub expertpass_challenges: usize,
    pub signexpert_challenges: usize,
    pub login_requests: usize,
    pub authorization_codes: usize,
    pub oidc_refresh_tokens: usize,
    pub oidc_grants: usize,
    pub outbox_logouts: usize,
    pub cas_tickets: usize,
    pub outbox_cas_logouts: usize,
    pub idempotency_records: usize,
    pub rate_limit_counters: usize,
    pub login_throttles: usize,
    pub outbox_emails: usize,
    pub webhook_events: usize,
}

impl Purged {
    /// Each table and its count, in the order of the README's table.
    pub fn tables(&self) -> [(&'static str, usize); 19] {
        [
            ("refresh_tokens", self.refresh_tokens),
            ("sessions", self.sessions),
            ("security_events", self.security_events),
            ("password_tokens", self.password_tokens),
            ("email_verifications", self.email_verifications),
            ("expertpass_challenges", self.expertpass_challenges),
            ("signexpert_challenges", self.signexpert_challenges),
            ("login_requests", self.login_requests),
            ("authorization_codes", self.authorization_codes),
            ("oidc_refresh_tokens", self.oidc_refresh_tokens),
            ("oidc_grants", self.oidc_grants),
            ("outbox_logouts", self.outbox_logouts),
            ("cas_tickets", self.cas_tickets),
            ("outbox_cas_logouts", self.outbox_cas_logouts),
            ("idempotency_records", self.idempotency_records),
            ("rate_limit_counters", self.rate_limit_counters),
            ("login_throttles", self.login_throttles),
            ("outbox_emails", self.outbox_emails),
            ("webhook_events", self.webhook_events),
        ]
    }

    /// Rows deleted in all.
    pub fn total(&self) -> usize {
        self.tables().iter().map(|(_, n)| n).sum()
    }
}

impl std::fmt::Display for Purged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .tables()
            .iter()
            .map(|(table, n)| format!("{table} {n}"))
            .collect();
        write!(f, "{} rows deleted ({})", self.total(), parts.join(", "))
    }
}

/// Rows deleted per statement where a table has a single-column key: each batch is its own short
/// transaction, so that on SQLite the one writer is never held for long by a large backlog.
pub const BATCH: i64 = 5_000;

/// Deletes, in batches of `BATCH` rows by `$key`, the rows of `$table` that `$filter` selects,
/// each batch in its own transaction; evaluates to the number deleted.
macro_rules! delete_in_batches {
    ($conn:expr, $table:ident, $key:expr, $filter:expr) => {{
        let mut deleted = 0usize;
        loop {
            let batch = super::session_write_transaction($conn, |conn| {
                let keys: Vec<String> = $table::table
                    .filter($filter)
                    .select($key)
                    .limit(BATCH)
                    .load(conn)?;
                if keys.is_empty() {
                    return Ok::<usize, diesel::result::Error>(0);
                }
                diesel::delete($table::table.filter($key.eq_any(&keys))).execute(conn)
            })?;
            deleted += batch;
            if batch < BATCH as usize {
                break deleted;
            }
        }
    }};
}

/// Deletes every row past its retention period at `now`, table by table. Safe to run on several
/// instances at once (each row is deleted once), and at any time: nothing it deletes is still in
/// use (a live session, a pending email, an unexpired link, a running lock or lease).
pub fn purge(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    retention: &Retention,
) -> QueryResult<Purged> {
    let mut purged = Purged::default();

    let cutoff = now - retention.rotated_refresh_token;
    purged.refresh_tokens = delete_in_batches!(
        conn,
        refresh_tokens,
        refresh_tokens::token_hash,
        refresh_tokens::rotated_at.lt(cutoff)
    );

    // Their refresh tokens go with them (ON DELETE CASCADE).
    let cutoff = now - retention.ended_session;
    purged.sessions = delete_in_batches!(
        conn,
        sessions,
        sessions::id,
        sessions::expires_at
            .lt(cutoff)
            .or(sessions::revoked_at.lt(cutoff))
    );

    let cutoff = now - retention.security_event;
    purged.security_events = delete_in_batches!(
        conn,
        security_events,
        security_events::id,
        security_events::created_at.lt(cutoff)
    );

    let cutoff = now - retention.spent_link;
    purged.password_tokens = delete_in_batches!(
        conn,
        password_tokens,
        password_tokens::id,
        password_tokens::expires_at
            .lt(cutoff)
            .or(password_tokens::used_at.lt(cutoff))
    );
    purged.email_verifications = delete_in_batches!(
        conn,
        email_verifications,
        email_verifications::id,
        email_verifications::expires_at
            .lt(cutoff)
            .or(email_verifications::used_at.lt(cutoff))
    );

    let cutoff = now - retention.challenge;
    purged.expertpass_challenges = delete_in_batches!(
        conn,
        expertpass_challenges,
        expertpass_challenges::id,
        expertpass_challenges::expires_at.lt(cutoff)
    );
    purged.signexpert_challenges = delete_in_batches!(
        conn,
        signexpert_challenges,
        signexpert_challenges::id,
        signexpert_challenges::expires_at.lt(cutoff)
    );
    purged.login_requests = delete_in_batches!(
        conn,
        login_requests,
        login_requests::id,
        login_requests::expires_at.lt(cutoff)
    );
    purged.authorization_codes = delete_in_batches!(
        conn,
        authorization_codes,
        authorization_codes::code_hash,
        authorization_codes::expires_at.lt(cutoff)
    );
    purged.cas_tickets = delete_in_batches!(
        conn,
        cas_tickets,
        cas_tickets::ticket_hash,
        cas_tickets::expires_at.lt(cutoff)
    );

    let cutoff = now - retention.rotated_refresh_token;
    purged.oidc_refresh_tokens = delete_in_batches!(
        conn,
        oidc_refresh_tokens,
        oidc_refresh_tokens::token_hash,
        oidc_refresh_tokens::rotated_at.lt(cutoff)
    );
    // Their refresh tokens go with them (ON DELETE CASCADE); a session's purge takes its
    // grants and SSO cookies along too.
    let cutoff = now - retention.ended_session;
    purged.oidc_grants = delete_in_batches!(
        conn,
        oidc_grants,
        oidc_grants::id,
        oidc_grants::expires_at
            .lt(cutoff)
            .or(oidc_grants::revoked_at.lt(cutoff))
    );

    let cutoff = now - retention.finished_email;
    purged.outbox_logouts = delete_in_batches!(
        conn,
        outbox_logouts,
        outbox_logouts::id,
        outbox_logouts::sent_at
            .lt(cutoff)
            .or(outbox_logouts::dead_at.lt(cutoff))
    );
    purged.outbox_cas_logouts = delete_in_batches!(
        conn,
        outbox_cas_logouts,
        outbox_cas_logouts::id,
        outbox_cas_logouts::sent_at
            .lt(cutoff)
            .or(outbox_cas_logouts::dead_at.lt(cutoff))
    );
    purged.outbox_emails = delete_in_batches!(
        conn,
        outbox_emails,
        outbox_emails::id,
        outbox_emails::sent_at
            .lt(cutoff)
            .or(outbox_emails::dead_at.lt(cutoff))
    );

    // Tables keyed by several columns: one statement each (their rows are small and few).
    super::session_write_transaction(conn, |conn| {
        // A record whose request still holds its lease stays, however old.
        let cutoff = now - retention.idempotency_record;
        purged.idempotency_records = diesel::delete(
            idempotency_records::table
                .filter(idempotency_records::created_at.lt(cutoff))
                .filter(
                    idempotency_records::locked_until
                        .is_null()
                        .or(idempotency_records::locked_until.lt(now)),
                ),
        )
        .execute(conn)?;

        let cutoff = now - retention.limit_window;
        purged.rate_limit_counters = diesel::delete(
            rate_limit_counters::table.filter(rate_limit_counters::window_start.lt(cutoff)),
        )
        .execute(conn)?;
        purged.login_throttles = diesel::delete(
            login_throttles::table
                .filter(login_throttles::window_start.lt(cutoff))
                .filter(
                    login_throttles::locked_until
                        .is_null()
                        .or(login_throttles::locked_until.lt(now)),
                ),
        )
        .execute(conn)?;

        let cutoff = now - retention.webhook_event;
        purged.webhook_events =
            diesel::delete(webhook_events::table.filter(webhook_events::received_at.lt(cutoff)))
                .execute(conn)?;
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(purged)
}

/// A named right to run a background job alone, for a while, shared by every instance through
/// the database. Whoever holds an unexpired lease runs the job; the others skip their turn.
pub struct Lease;

impl Lease {
    /// Takes the lease `name` for `holder` until `now + duration`: `true` when it was free,
    /// expired, or already `holder`'s. Of two instances racing for it, one wins: the insert of a
    /// new lease and the update of an expired one are both conditional single statements.
    pub fn take(
        conn: &mut DbConnection,
        name: &str,
        holder: &str,
        now: NaiveDateTime,
        duration: Duration,
    ) -> QueryResult<bool> {
        super::session_write_transaction(conn, |conn| {
            // In a savepoint: on PostgreSQL a refused insert would abort the transaction.
            let inserted = conn.transaction(|conn| {
                diesel::insert_into(leases::table)
                    .values((
                        leases::name.eq(name),
                        leases::holder.eq(holder),
                        leases::expires_at.eq(now + duration),
                    ))
                    .execute(conn)
            });
            match inserted {
                Ok(_) => return Ok(true),
                Err(error) if is_unique_violation(&error) => {}
                Err(error) => return Err(error),
            }
            let taken = diesel::update(leases::table.find(name))
                .filter(leases::expires_at.le(now).or(leases::holder.eq(holder)))
                .set((
                    leases::holder.eq(holder),
                    leases::expires_at.eq(now + duration),
                ))
                .execute(conn)?;
            Ok(taken == 1)
        })
    }
}
