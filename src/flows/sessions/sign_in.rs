//! « Se connecter » with identifier and password, and « Garder ma session active ».
//!
//! Unknown identifier, wrong password and an account not yet activated end the same way
//! ([`SignIn::Denied`]) after the same work: a pending or unknown account is verified against the
//! dummy hash. Repeated failures on an identifier lock it for a growing delay.

use crate::{
    auth::{
        password::{self, Verification},
        session_tokens::{self, SignInContext, SignedIn},
    },
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        login_throttles,
        security_events::{NewEvent, SecurityEvent},
    },
    domain::{password::MAX_LEN as PASSWORD_MAX_LEN, states::SecurityEventKind},
    error::{ApiError, FieldIssue},
    flows::Client,
    i18n::Text,
    limits,
};

/// The longest identifier looked up.
const IDENTIFIER_MAX_LEN: usize = 100;

/// What the caller typed.
pub struct Credentials {
    /// The ComptExpert identifier, as typed (trimmed and lower-cased here).
    pub identifier: String,
    /// The password, as typed.
    pub password: String,
    /// "Garder ma session active".
    pub keep_session_active: bool,
}

/// How a password sign-in ended.
#[derive(Debug)]
pub enum SignIn {
    /// A session is open; its tokens are signed.
    SignedIn(Box<SignedIn>),
    /// Wrong identifier or password, or an account not activated: one answer for all three.
    Denied,
    /// The identifier is locked after repeated failures, for this many more seconds.
    Locked { retry_after_seconds: u64 },
}

/// Signs `credentials` in from `client`.
pub async fn sign_in(
    ctx: &ApiContext,
    credentials: Credentials,
    client: Client,
) -> Result<SignIn, ApiError> {
    let Credentials {
        identifier,
        password: typed,
        keep_session_active,
    } = credentials;
    let identifier = identifier.trim().to_ascii_lowercase();
    check_typed(&identifier, &typed)?;
    limits::enforce(ctx, limits::SIGN_IN_PER_CLIENT, &client.address).await?;

    let now = ctx.clock.now();
    let lookup = identifier.clone();
    let (throttle, account) = ctx
        .db
        .run(move |conn| {
            let throttle = login_throttles::throttle(conn, &lookup, now)?;
            let account = Account::find_by_identifier(conn, &lookup)?;
            Ok((throttle, account))
        })
        .await?;
    if let Some(seconds) = throttle.locked_for {
        crate::measures::sign_in("pwd", "locked");
        return Ok(SignIn::Locked {
            retry_after_seconds: u64::try_from(seconds).unwrap_or(1),
        });
    }
    // A pending account has no hash: it is verified against the dummy hash like an unknown one.
    let stored = account
        .as_ref()
        .filter(|a| a.is_active())
        .and_then(|a| a.password_hash.clone());
    let verification = password::verify_async(typed.clone(), stored).await?;

    // The account (if the identifier exists) was read above: its own history records a failure.
    let known_account_id = account.as_ref().map(|a| a.id.clone());
    let Some(account) = account.filter(|_| verification != Verification::Mismatch) else {
        record_failure(ctx, identifier, known_account_id, client.address).await?;
        crate::measures::sign_in("pwd", "denied");
        return Ok(SignIn::Denied);
    };
    if verification == Verification::MatchNeedsRehash {
        upgrade_hash_later(ctx.clone(), &account, typed);
    }
    // Only a sign-in that follows failures writes to forget them: the usual one stays a read.
    if throttle.has_failures {
        ctx.db
            .run(move |conn| {
                Ok(db::session_write_transaction(conn, |conn| {
                    login_throttles::clear(conn, &identifier)
                })?)
            })
            .await?;
    }
    let signed_in = session_tokens::open(
        ctx,
        account,
        SignInContext {
            amr: "pwd",
            keep_active: keep_session_active,
            client,
        },
    )
    .await?;
    Ok(SignIn::SignedIn(Box::new(signed_in)))
}

/// Refuses an empty or oversized identifier or password before anything is looked up.
fn check_typed(identifier: &str, typed: &str) -> Result<(), ApiError> {
    let mut issues = Vec::new();
    if identifier.is_empty() || identifier.len() > IDENTIFIER_MAX_LEN {
        issues.push(FieldIssue::new(
            "identifier",
            "required",
            Text::new("Saisissez votre identifiant.", "Enter your identifier."),
        ));
    }
    if typed.is_empty() || typed.chars().count() > PASSWORD_MAX_LEN {
        issues.push(FieldIssue::new(
            "password",
            "required",
            Text::new("Saisissez votre mot de passe.", "Enter your password."),
        ));
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(issues))
    }
}

/// Counts a failure on the identifier (locking it past the threshold) and, when the identifier
/// is an account's, records it in that account's security history: one transaction.
async fn record_failure(
    ctx: &ApiContext,
    identifier: String,
    account_id: Option<String>,
    client_address: String,
) -> Result<(), ApiError> {
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            Ok(db::session_write_transaction(conn, |conn| {
                let lock = login_throttles::record_failure(conn, &identifier, now)?;
                if lock.is_some() {
                    // Counted even if the commit then fails: a rare overcount, never a miss.
                    crate::measures::lockout();
                }
                if let Some(account_id) = &account_id {
                    let kind = if lock.is_some() {
                        SecurityEventKind::AccountLocked
                    } else {
                        SecurityEventKind::SignInFailed
                    };
                    SecurityEvent::record(
                        conn,
                        NewEvent {
                            account_id,
                            kind,
                            method: Some("pwd"),
                            client_address: Some(&client_address),
                            session_id: None,
                        },
                        now,
                    )?;
                }
                diesel::QueryResult::Ok(())
            })?)
        })
        .await
}

/// Re-hashes a password made with weaker parameters, after the answer: the sign-in does not pay
/// for it. The new hash replaces only the one that was verified, so a reset landing in between
/// is never overwritten by the old password.
fn upgrade_hash_later(ctx: ApiContext, account: &Account, typed: String) {
    let (account_id, Some(verified)) = (account.id.clone(), account.password_hash.clone()) else {
        return;
    };
    actix_web::rt::spawn(async move {
        let Ok(new_hash) = password::hash_async(typed).await else {
            return;
        };
        let result = ctx
            .db
            .run(move |conn| {
                Ok(Account::upgrade_password_hash(
                    conn,
                    &account_id,
                    &verified,
                    &new_hash,
                )?)
            })
            .await;
        if let Err(error) = result {
            tracing::warn!(%error, "password hash upgrade failed; it will be retried at the next sign-in");
        }
    });
}
