//! What the Ordre's support does for a person on the phone, from the operator commands of the
//! binary (`comptexpert account …`, README: Operator commands): find the account, lift a sign-in
//! lock, close every session, send a new activation or reset link. Each action is recorded in the
//! account's own security history, which its owner reads (`GET /v1/me/security-events`).

use std::fmt;

use chrono::NaiveDateTime;

use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::{self, Account},
        login_throttles,
        registry::Member,
        security_events::{NewEvent, SecurityEvent},
        sessions::Session,
        DbConnection,
    },
    domain::states::SecurityEventKind,
    error::ApiError,
    registration,
};

/// How the support names an account: an email address (it may have several accounts), a SUPRA
/// number (digits: the member's account), or else an identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountQuery {
    Email(String),
    SupraNumber(String),
    Identifier(String),
}

impl AccountQuery {
    /// Reads what the operator typed.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if text.contains('@') {
            Self::Email(text.to_lowercase())
        } else if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
            Self::SupraNumber(text.to_owned())
        } else {
            Self::Identifier(text.to_ascii_lowercase())
        }
    }

    /// The accounts it names.
    pub fn find(&self, conn: &mut DbConnection) -> diesel::QueryResult<Vec<Account>> {
        match self {
            Self::Email(email) => Account::find_by_email(conn, email),
            Self::SupraNumber(number) => match Member::find_by_supra_number(conn, number)? {
                Some(member) => Ok(Account::find_by_member(conn, &member.id)?
                    .into_iter()
                    .collect()),
                None => Ok(Vec::new()),
            },
            Self::Identifier(identifier) => Ok(Account::find_by_identifier(conn, identifier)?
                .into_iter()
                .collect()),
        }
    }
}

impl fmt::Display for AccountQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Email(email) => write!(f, "email {email}"),
            Self::SupraNumber(number) => write!(f, "SUPRA number {number}"),
            Self::Identifier(identifier) => write!(f, "identifier {identifier}"),
        }
    }
}

/// Why a support action was not carried out.
#[derive(Debug)]
pub enum SupportError {
    /// Nothing matches.
    NoAccount(AccountQuery),
    /// An action on one account, and the email names several: their identifiers.
    SeveralAccounts(AccountQuery, Vec<String>),
    /// An activation link for an account whose password is already set.
    AlreadyActive(String),
    /// A reset link for an account that was never activated (send it an activation link).
    NotActive(String),
    /// The database did not answer, or failed.
    Failed(ApiError),
}

impl From<diesel::result::Error> for SupportError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

impl From<ApiError> for SupportError {
    fn from(error: ApiError) -> Self {
        Self::Failed(error)
    }
}

impl fmt::Display for SupportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoAccount(query) => write!(f, "no account has the {query}"),
            Self::SeveralAccounts(query, identifiers) => write!(
                f,
                "the {query} has {} accounts ({}): name one by its identifier",
                identifiers.len(),
                identifiers.join(", ")
            ),
            Self::AlreadyActive(identifier) => write!(
                f,
                "{identifier} is already active: send it a reset link (account send-reset) instead"
            ),
            Self::NotActive(identifier) => write!(
                f,
                "{identifier} has no password yet: send it an activation link (account resend-activation) instead"
            ),
            Self::Failed(error) => write!(f, "{error}"),
        }
    }
}

/// An account as the support sees it.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub account: Account,
    /// The member's SUPRA number, for a member's account.
    pub supra_number: Option<String>,
    /// Seconds until its identifier may sign in again, when locked now.
    pub locked_for_seconds: Option<i64>,
    /// Failed sign-ins counted for its identifier (the lock starts after five).
    pub failed_sign_ins: bool,
    /// Its live sessions, newest first.
    pub live_sessions: Vec<Session>,
}

impl fmt::Display for AccountSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.account;
        writeln!(f, "account {} ({})", a.identifier, a.id)?;
        writeln!(
            f,
            "  name:      {} {} {}",
            a.civility, a.first_name, a.last_name
        )?;
        writeln!(f, "  email:     {}", a.email)?;
        writeln!(f, "  quality:   {}", a.quality_code)?;
        if let Some(number) = &self.supra_number {
            writeln!(f, "  SUPRA:     {number}")?;
        }
        writeln!(
            f,
            "  status:    {}{}",
            a.status,
            a.activated_at
                .map(|t| format!(" since {}", t.format("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default()
        )?;
        writeln!(
            f,
            "  created:   {}",
            a.created_at.format("%Y-%m-%d %H:%M UTC")
        )?;
        match self.locked_for_seconds {
            Some(seconds) => writeln!(f, "  sign-in:   locked for {seconds} s more")?,
            None if self.failed_sign_ins => {
                writeln!(f, "  sign-in:   not locked, recent failures counted")?
            }
            None => writeln!(f, "  sign-in:   not locked")?,
        }
        write!(f, "  sessions:  {} live", self.live_sessions.len())?;
        for session in &self.live_sessions {
            write!(
                f,
                "\n    {} {} since {}, until {}{}",
                session.id,
                session.amr,
                session.created_at.format("%Y-%m-%d %H:%M"),
                session.expires_at.format("%Y-%m-%d %H:%M"),
                session
                    .client_address
                    .as_deref()
                    .map(|a| format!(", from {a}"))
                    .unwrap_or_default()
            )?;
        }
        Ok(())
    }
}

/// Records `kind` in the account's history (no method, no address: the support acted, not a
/// client).
fn record(
    conn: &mut DbConnection,
    account_id: &str,
    kind: SecurityEventKind,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    SecurityEvent::record(
        conn,
        NewEvent {
            account_id,
            kind,
            method: None,
            client_address: None,
            session_id: None,
        },
        now,
    )
}

/// Every account `query` names, summarised; each look-up is recorded in the account's history
/// (reading someone's data is an access the owner may want to know of).
pub async fn look_up(
    ctx: &ApiContext,
    query: AccountQuery,
) -> Result<Vec<AccountSummary>, SupportError> {
    let now = ctx.clock.now();
    let wanted = query.clone();
    let summaries = ctx
        .db
        .run(move |conn| {
            Ok(db::session_write_transaction(conn, |conn| {
                let mut summaries = Vec::new();
                for account in wanted.find(conn)? {
                    let throttle = login_throttles::throttle(conn, &account.identifier, now)?;
                    let supra_number = match &account.member_id {
                        Some(member_id) => Member::find(conn, member_id)?.map(|m| m.supra_number),
                        None => None,
                    };
                    let live_sessions = Session::list_live(conn, &account.id, now)?;
                    record(conn, &account.id, SecurityEventKind::ViewedBySupport, now)?;
                    summaries.push(AccountSummary {
                        account,
                        supra_number,
                        locked_for_seconds: throttle.locked_for,
                        failed_sign_ins: throttle.has_failures,
                        live_sessions,
                    });
                }
                diesel::QueryResult::Ok(summaries)
            })?)
        })
        .await?;
    if summaries.is_empty() {
        return Err(SupportError::NoAccount(query));
    }
    Ok(summaries)
}

/// Runs `act` on the one account `query` names, in one write transaction with its record in
/// the account's history.
async fn on_one_account<T, F>(
    ctx: &ApiContext,
    query: AccountQuery,
    kind: SecurityEventKind,
    act: F,
) -> Result<(Account, T), SupportError>
where
    F: FnOnce(
            &mut DbConnection,
            &mut db::versions::Touched,
            &Account,
            NaiveDateTime,
        ) -> Result<T, SupportError>
        + Send
        + 'static,
    T: Send + 'static,
{
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            Ok(db::scoped_write_transaction(conn, |conn, touched| {
                let mut found = query.find(conn).map_err(ApiError::from)?;
                let account = match found.len() {
                    0 => return Err(SupportError::NoAccount(query)),
                    1 => found.remove(0),
                    _ => {
                        return Err(SupportError::SeveralAccounts(
                            query,
                            found.into_iter().map(|a| a.identifier).collect(),
                        ))
                    }
                };
                let done = act(conn, touched, &account, now)?;
                record(conn, &account.id, kind, now).map_err(ApiError::from)?;
                Ok((account, done))
            }))
        })
        .await
        .map_err(SupportError::Failed)?
}

/// Lifts the sign-in lock and forgets the failures of the account's identifier. Returns whether
/// a lock was running.
pub async fn unlock(
    ctx: &ApiContext,
    query: AccountQuery,
) -> Result<(Account, bool), SupportError> {
    on_one_account(
        ctx,
        query,
        SecurityEventKind::SignInUnlockedBySupport,
        |conn, _, account, now| {
            let throttle = login_throttles::throttle(conn, &account.identifier, now)
                .map_err(ApiError::from)?;
            login_throttles::clear(conn, &account.identifier).map_err(ApiError::from)?;
            Ok(throttle.locked_for.is_some())
        },
    )
    .await
}

/// Closes every live session of the account: their refresh tokens stop working at once, their
/// access tokens at the next request (every instance hears of it on PostgreSQL). Returns how many.
pub async fn revoke_sessions(
    ctx: &ApiContext,
    query: AccountQuery,
) -> Result<(Account, usize), SupportError> {
    on_one_account(
        ctx,
        query,
        SecurityEventKind::SessionsRevokedBySupport,
        |conn, touched, account, now| {
            Ok(
                Session::revoke_all_for_account(conn, touched, &account.id, None, now, "support")
                    .map_err(ApiError::from)?,
            )
        },
    )
    .await
}

/// Queues a new activation link to a pending account's address.
pub async fn resend_activation(
    ctx: &ApiContext,
    query: AccountQuery,
) -> Result<Account, SupportError> {
    let frontend_url = ctx.settings.frontend_url.clone();
    on_one_account(
        ctx,
        query,
        SecurityEventKind::ActivationLinkResent,
        move |conn, _, account, now| {
            if account.status != accounts::status::PENDING {
                return Err(SupportError::AlreadyActive(account.identifier.clone()));
            }
            registration::resend_activation(conn, account, &frontend_url, now)
                .map_err(ApiError::from)?;
            Ok(())
        },
    )
    .await
    .map(|(account, ())| account)
}

/// Queues a password reset link to an active account's address.
pub async fn send_reset(ctx: &ApiContext, query: AccountQuery) -> Result<Account, SupportError> {
    let frontend_url = ctx.settings.frontend_url.clone();
    on_one_account(
        ctx,
        query,
        SecurityEventKind::ResetLinkSentBySupport,
        move |conn, _, account, now| {
            if !account.is_active() {
                return Err(SupportError::NotActive(account.identifier.clone()));
            }
            registration::send_reset(conn, account, &frontend_url, now).map_err(ApiError::from)?;
            Ok(())
        },
    )
    .await
    .map(|(account, ())| account)
}
