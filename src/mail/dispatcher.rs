//! The background task that empties the outbox: every poll interval it takes the due messages,
//! claims each one, sends it, and records the outcome. A failure is retried later with an
//! exponential backoff, so nothing is lost while the mail server is down.
//!
//! Delivery is at least once: a message is sent again only if this instance dies (or cannot
//! record the delivery) between sending it and marking it sent, once its lease has expired.

use std::{sync::Arc, time::Duration};

use actix_web::{rt, web};
use diesel::QueryResult;

use super::transport::Transport;
use crate::{
    config::Settings,
    db::{outbox::OutboxEmail, DbConnection, Pool},
    domain::email::log_form,
};

/// Messages read per round; a full batch is followed by another round straight away.
const BATCH_SIZE: i64 = 50;
/// How long a claim holds a message; longer than one SMTP exchange can take
/// ([`super::transport::SMTP_TIMEOUT`]).
pub const LEASE: Duration = Duration::from_secs(60);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// A floor for the poll interval: a zero period would spin (and panics in tokio).
const MIN_POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Starts the dispatcher on the current actix runtime. Fails when the transport cannot be
/// configured (an unreadable `SMTP_URL` or `MAIL_FROM`), so that a bad setting stops the start.
/// The handle stops it (`abort`) before the runtime ends.
pub fn spawn(pool: Pool, settings: Arc<Settings>) -> Result<rt::task::JoinHandle<()>, String> {
    let transport = Transport::from_settings(&settings)?;
    match &settings.smtp_url {
        Some(_) => tracing::info!("outbox dispatcher started, delivering through SMTP"),
        None => {
            tracing::info!(dir = %settings.mail_dir.display(), "outbox dispatcher started, writing .eml files")
        }
    }
    let dispatcher = Dispatcher {
        pool,
        transport,
        retry_base: settings.mail_retry_base,
        max_attempts: settings.mail_max_attempts.max(1),
    };
    let period = settings.mail_poll_interval.max(MIN_POLL_INTERVAL);
    Ok(rt::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Deliveries whose outcome could not be written yet: recorded before anything else.
        let mut unrecorded = Vec::new();
        loop {
            ticker.tick().await;
            dispatcher.record_pending(&mut unrecorded).await;
            while dispatcher.deliver_due(&mut unrecorded).await == BATCH_SIZE {}
        }
    }))
}

/// The wait before retrying a message that has already failed `failures` times (this failure
/// excluded): `base × 2^failures`, at most [`MAX_BACKOFF`].
pub fn backoff(base: Duration, failures: i32) -> Duration {
    let exponent = u32::try_from(failures).unwrap_or(0).min(31);
    base.saturating_mul(1 << exponent).min(MAX_BACKOFF)
}

struct Dispatcher {
    pool: Pool,
    transport: Transport,
    retry_base: Duration,
    /// Attempts after which a message is given up (`MAIL_MAX_ATTEMPTS`).
    max_attempts: i32,
}

impl Dispatcher {
    /// Runs diesel work on the blocking pool: the executor thread never waits on the database.
    async fn db<T, F>(&self, work: F) -> Result<T, String>
    where
        F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            work(&mut conn).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Marks sent the messages delivered earlier whose marking failed; keeps those that fail again.
    async fn record_pending(&self, unrecorded: &mut Vec<String>) {
        let mut still = Vec::new();
        for id in unrecorded.drain(..) {
            let marked = id.clone();
            if let Err(error) = self.db(move |c| OutboxEmail::mark_sent(c, &marked)).await {
                tracing::error!(%id, %error, "outbox: cannot record a delivered email yet");
                still.push(id);
            }
        }
        *unrecorded = still;
    }

    /// One round: the due messages, each claimed then sent. Returns how many were claimed.
    async fn deliver_due(&self, unrecorded: &mut Vec<String>) -> i64 {
        let due = match self.db(|c| OutboxEmail::due(c, BATCH_SIZE)).await {
            Ok(due) => due,
            Err(error) => {
                // The database may be restarting: the next tick tries again.
                tracing::error!(%error, "outbox: cannot read the due emails");
                return 0;
            }
        };
        let mut claimed = 0;
        for email in due {
            let id = email.id.clone();
            match self.db(move |c| OutboxEmail::claim(c, &id, LEASE)).await {
                Ok(true) => {
                    claimed += 1;
                    self.deliver(email, unrecorded).await;
                }
                // Another instance holds it, or has just dealt with it.
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(id = %email.id, %error, "outbox: cannot claim an email")
                }
            }
        }
        claimed
    }

    /// Sends one claimed message and records the outcome.
    async fn deliver(&self, email: OutboxEmail, unrecorded: &mut Vec<String>) {
        let span = tracing::info_span!("outbox", id = %email.id, kind = %email.kind);
        tracing::Instrument::instrument(self.deliver_in_span(email, unrecorded), span).await
    }

    async fn deliver_in_span(&self, email: OutboxEmail, unrecorded: &mut Vec<String>) {
        let to = log_form(&email.recipient);
        match self.transport.send(&email).await {
            Ok(()) => {
                crate::measures::outbox_delivery("sent");
                tracing::info!(id = %email.id, kind = %email.kind, to = %to, attempts = email.attempts + 1, "email sent");
                let id = email.id.clone();
                if let Err(error) = self.db(move |c| OutboxEmail::mark_sent(c, &id)).await {
                    tracing::error!(id = %email.id, %error, "outbox: email sent but not yet recorded");
                    unrecorded.push(email.id);
                }
            }
            Err(send_error) if gives_up(&send_error, email.attempts, self.max_attempts) => {
                crate::measures::outbox_delivery("dead");
                tracing::error!(
                    id = %email.id,
                    kind = %email.kind,
                    to = %to,
                    attempt = email.attempts + 1,
                    permanent = send_error.is_permanent(),
                    error = %send_error,
                    "email given up: `comptexpert emails dead` lists it, `emails retry` queues it again"
                );
                let id = email.id.clone();
                let message = send_error.to_string();
                if let Err(error) = self
                    .db(move |c| OutboxEmail::mark_dead(c, &id, &message))
                    .await
                {
                    // The lease expires on its own; the next attempt decides again.
                    tracing::error!(id = %email.id, %error, "outbox: cannot record a dead email");
                }
            }
            Err(send_error) => {
                crate::measures::outbox_delivery("failed");
                let retry_in = backoff(self.retry_base, email.attempts);
                tracing::warn!(
                    id = %email.id,
                    kind = %email.kind,
                    to = %to,
                    attempt = email.attempts + 1,
                    retry_in_ms = u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX),
                    error = %send_error,
                    "email delivery failed"
                );
                let id = email.id.clone();
                let message = send_error.to_string();
                if let Err(error) = self
                    .db(move |c| OutboxEmail::mark_failed(c, &id, &message, retry_in))
                    .await
                {
                    // The lease expires on its own and the message is retried then.
                    tracing::error!(id = %email.id, %error, "outbox: cannot record a failed delivery");
                }
            }
        }
    }
}

/// Whether a failed attempt, after `failures` earlier ones, ends the message: a refusal for good,
/// or the last of `max_attempts`.
fn gives_up(error: &super::transport::SendError, failures: i32, max_attempts: i32) -> bool {
    error.is_permanent() || failures.saturating_add(1) >= max_attempts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_for_good_ends_at_once_and_a_temporary_failure_at_the_last_attempt() {
        use super::super::transport::SendError;
        let refused = SendError::refused("", "550 5.1.1 no such user");
        let down = SendError::about("", "connection refused");
        assert!(gives_up(&refused, 0, 30));
        assert!(!gives_up(&down, 0, 30));
        assert!(!gives_up(&down, 28, 30));
        assert!(gives_up(&down, 29, 30), "the thirtieth attempt is the last");
        assert!(gives_up(&down, i32::MAX, 30));
    }

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_an_hour() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 0), Duration::from_secs(5));
        assert_eq!(backoff(base, 1), Duration::from_secs(10));
        assert_eq!(backoff(base, 3), Duration::from_secs(40));
        assert_eq!(backoff(base, 10), MAX_BACKOFF);
        assert_eq!(backoff(base, i32::MAX), MAX_BACKOFF);
        assert_eq!(backoff(base, -1), base);
    }
}
