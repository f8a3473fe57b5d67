//! « Identifiant ou mot de passe oublié »: if accounts use the address, one email lists each
//! identifier with a one-time reset link ([`RESET_HOURS`] hour).
//!
//! The caller learns nothing of the address: the ending is the same, in the same time, whether
//! or not it is known, because the lookup and the email happen after the flow returns.

use chrono::Duration;

use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        password_tokens::{purpose, PasswordToken},
    },
    domain::email::{log_form, Email},
    error::ApiError,
    flows::Client,
    limits,
    mail::{outbox, templates::Template},
    registration::{password_link, RESET_HOURS},
};

/// Takes the request for `email` from `client` into account: checks the address and the rate
/// limits, then looks the address up and queues the email in the background.
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
    let ctx = ctx.clone();
    actix_web::rt::spawn(async move {
        let domain = log_form(&email);
        if let Err(error) = send_links(&ctx, email).await {
            tracing::error!(%error, email = %domain, "recovery email could not be queued");
        }
    });
    Ok(())
}

/// Issues a reset link for each account using `email` and queues one email listing them: one
/// transaction. Nothing is written for an unknown address.
async fn send_links(ctx: &ApiContext, email: String) -> Result<(), ApiError> {
    let frontend_url = ctx.settings.frontend_url.clone();
    let clock = ctx.clock;
    ctx.db
        .run(move |conn| {
            Ok(db::session_write_transaction(conn, |conn| {
                let accounts = Account::find_by_email(conn, &email)?;
                if accounts.is_empty() {
                    return diesel::QueryResult::Ok(());
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
                    &email,
                    &Template::PasswordReset {
                        accounts: links,
                        valid_hours: RESET_HOURS,
                    },
                )
            })?)
        })
        .await
}
