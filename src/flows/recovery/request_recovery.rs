//! « Identifiant ou mot de passe oublié »: if accounts use the address, one email lists each
//! identifier with a one-time reset link ([`RESET_HOURS`] hour).
//!
//! The caller learns nothing of the address: the request is written as it is, for a known or an
//! unknown address alike, before the 202; the lookup and the email come after, in the
//! background. The request is durable before the answer: a process that stops in between leaves
//! it in `recovery_requests`, and the sweeper of any instance carries it out.

use std::time::Duration as StdDuration;

use chrono::Duration;

use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        password_tokens::{purpose, PasswordToken},
        recovery_requests::RecoveryRequest,
    },
    domain::email::{log_form, Email},
    error::ApiError,
    flows::Client,
    limits,
    mail::{outbox, templates::Template},
    registration::{password_link, RESET_HOURS},
};

/// Requests read per round of the sweeper.
const BATCH_SIZE: i64 = 50;
/// A floor for the sweeper's period: a zero period would spin.
const MIN_SWEEP_INTERVAL: StdDuration = StdDuration::from_millis(10);

/// Takes the request for `email` from `client` into account: checks the address and the rate
/// limits, and records the request (an error, 503 with the database down, when it cannot be
/// recorded). The lookup and the email follow in the background.
pub async fn request_recovery(
    ctx: &ApiContext,
    email: String,
    client: Client,
) -> Result<(), ApiError> {
    let email = Email::parse(&email, "email")
        .map_err(|issue| ApiError::validation(vec![issue]))?
        .into_inner();
    limits::enforce(ctx, limits::RECOVERY_PER_CLIENT, &client.address).await?;
    limits::enforce(ctx, limits::RECOVERY_PER_EMAIL, &email).await?;
    let now = ctx.clock.now();
    let request = ctx
        .db
        .run(move |conn| {
            Ok(db::durable_session_write_transaction(conn, |conn| {
                RecoveryRequest::insert(conn, &email, now)
            })?)
        })
        .await?;
    let ctx = ctx.clone();
    actix_web::rt::spawn(async move { carry_out_logged(&ctx, request).await });
    Ok(())
}

/// Starts the background task that carries out the requests left behind (an instance that
/// stopped between its answer and the email, a database that failed meanwhile), at the outbox's
/// poll interval. Several instances may run it: each request is carried out once.
pub fn spawn_sweeper(ctx: ApiContext) {
    let period = ctx.settings.mail_poll_interval.max(MIN_SWEEP_INTERVAL);
    actix_web::rt::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let pending = ctx
                .db
                .run(|conn| Ok(RecoveryRequest::pending(conn, BATCH_SIZE)?))
                .await;
            match pending {
                Ok(pending) => {
                    for request in pending {
                        carry_out_logged(&ctx, request).await;
                    }
                }
                // The database may be restarting: the next tick tries again.
                Err(error) => tracing::error!(%error, "recovery: cannot read the pending requests"),
            }
        }
    });
}

async fn carry_out_logged(ctx: &ApiContext, request: RecoveryRequest) {
    let domain = log_form(&request.email);
    if let Err(error) = carry_out(ctx, request).await {
        tracing::error!(%error, email = %domain, "recovery: request kept for a later attempt");
    }
}

/// Issues a reset link for each account using the request's address and queues one email
/// listing them, in the transaction that takes the request out of the queue: the email is
/// queued once, or the request stays for another attempt. Nothing is sent to an unknown address.
async fn carry_out(ctx: &ApiContext, request: RecoveryRequest) -> Result<(), ApiError> {
    let frontend_url = ctx.settings.frontend_url.clone();
    let clock = ctx.clock;
    ctx.db
        .run(move |conn| {
            Ok(db::durable_session_write_transaction(conn, |conn| {
                if !RecoveryRequest::take(conn, &request.id)? {
                    return diesel::QueryResult::Ok(());
                }
                let accounts = Account::find_by_email(conn, &request.email)?;
                if accounts.is_empty() {
                    return Ok(());
                }
                let now = clock.now();
                let mut links = Vec::with_capacity(accounts.len());
                for account in &accounts {
                    let token = PasswordToken::issue(
                        conn,
                        &account.id,
                        purpose::RESET,
                        Duration::hours(RESET_HOURS.into()),
                        now,
                    )?;
                    links.push((
                        account.identifier.clone(),
                        password_link(&frontend_url, &token),
                    ));
                }
                outbox::enqueue(
                    conn,
                    &request.email,
                    &Template::PasswordReset {
                        accounts: links,
                        valid_hours: RESET_HOURS,
                    },
                )
            })?)
        })
        .await
}
