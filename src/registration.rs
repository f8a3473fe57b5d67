//! Creating ComptExpert accounts: members matched in the register, and "Autre profil" (RAC)
//! staff through the external form. Each function runs inside the caller's transaction and
//! queues its email in the same transaction, so an account never exists without its email.

use chrono::{Duration, NaiveDateTime};
use diesel::{Connection, QueryResult};

use crate::{
    db::{
        self,
        accounts::{status, Account},
        is_unique_violation,
        outbox::OutboxEmail,
        password_tokens::{purpose, PasswordToken},
        registry::Member,
        DbConnection, LockTarget,
    },
    domain::{identifier, names},
    mail::{outbox, templates::Template},
};

/// Lifetime of an activation link.
pub const ACTIVATION_HOURS: u32 = 72;
/// Lifetime of a reset link.
pub const RESET_HOURS: u32 = 1;

/// How many collision suffixes are tried before giving up (`mdurand` … `mdurand500`).
const MAX_IDENTIFIER_CANDIDATES: u32 = 500;

/// Link to the front end's password page for a token. The token travels in the fragment,
/// which browsers never send to servers or in `Referer` headers.
pub fn password_link(frontend_url: &str, token: &str) -> String {
    format!(
        "{frontend_url}{}#token={token}",
        crate::front_end::PASSWORD_PAGE
    )
}

/// What happened when a member asked for an account (the HTTP answer is the same either way).
#[derive(Debug, PartialEq, Eq)]
pub enum MemberRegistration {
    /// A new pending account; the activation email is queued.
    Created,
    /// The member already had an account; a reminder with a reset link is queued.
    AlreadyExists,
}

/// Creates the account of `member`, or reminds the existing owner. The email goes to the
/// register's address, never one typed by the caller.
pub fn register_member(
    conn: &mut DbConnection,
    member: &Member,
    quality_code: &str,
    frontend_url: &str,
    now: NaiveDateTime,
) -> QueryResult<MemberRegistration> {
    if let Some(existing) = Account::find_by_member(conn, &member.id)? {
        remind_existing(conn, &existing, frontend_url, now)?;
        return Ok(MemberRegistration::AlreadyExists);
    }
    let base = names::identifier_base(&member.first_name, &member.last_name);
    let mut account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        identifier: String::new(),
        email: member.email.to_lowercase(),
        quality_code: quality_code.to_owned(),
        member_id: Some(member.id.clone()),
        civility: member.civility.clone(),
        last_name: member.last_name.clone(),
        first_name: member.first_name.clone(),
        phone: None,
        address: None,
        city: None,
        postal_code: None,
        birth_year: None,
        accepts_communications: false,
        password_hash: None,
        status: status::PENDING.to_owned(),
        created_at: now,
        updated_at: now,
        activated_at: None,
    };
    // Pick the first free candidate; a concurrent registration may take it between the check
    // and the insert, in which case the unique index refuses ours and the next candidate is tried.
    let mut next = 1;
    loop {
        let batch: Vec<String> = (next..next + 20)
            .map(|n| identifier::candidate(&base, n))
            .collect();
        let taken = Account::taken_identifiers(conn, &batch)?;
        let Some(free) = batch.into_iter().find(|c| !taken.contains(c)) else {
            next += 20;
            if next > MAX_IDENTIFIER_CANDIDATES {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            continue;
        };
        account.identifier = free;
        match conn.transaction(|conn| Account::insert(conn, &account)) {
            Ok(()) => break,
            Err(e) if is_unique_violation(&e) => {
                // Either the identifier or the member's one account was taken concurrently.
                if let Some(existing) = Account::find_by_member(conn, &member.id)? {
                    remind_existing(conn, &existing, frontend_url, now)?;
                    return Ok(MemberRegistration::AlreadyExists);
                }
                next += 1;
                if next > MAX_IDENTIFIER_CANDIDATES {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    send_link(
        conn,
        &account,
        LinkMail::MemberActivation,
        frontend_url,
        now,
    )?;
    Ok(MemberRegistration::Created)
}

fn remind_existing(
    conn: &mut DbConnection,
    existing: &Account,
    frontend_url: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if recently_emailed(conn, existing, &MEMBER_ACCOUNT_EMAILS, now)? {
        return Ok(());
    }
    send_link(conn, existing, LinkMail::AlreadyExists, frontend_url, now)
}

/// How long after an account email of registration (activation, reminder, notice) no other of
/// the kind goes to the same address: twenty simultaneous registrations of one member, or a
/// form sent again at once, send one email, which is on its way.
pub const ACCOUNT_EMAIL_WINDOW_MINUTES: i64 = 10;
/// The emails a member's registration sends (template kinds).
const MEMBER_ACCOUNT_EMAILS: [&str; 2] = ["account_activation", "account_already_exists"];
/// The emails the "Autre profil" form sends.
const EXTERNAL_ACCOUNT_EMAILS: [&str; 2] = ["rac_account_created", "email_already_used"];

/// Whether one of `kinds` went to `account`'s address within the window. Takes the account's
/// row lock first (PostgreSQL; SQLite's writer is one already), so that simultaneous
/// registrations check in turn and each sees the email of the one before.
fn recently_emailed(
    conn: &mut DbConnection,
    account: &Account,
    kinds: &[&str],
    now: NaiveDateTime,
) -> QueryResult<bool> {
    db::lock_for_update(conn, LockTarget::Account, &account.id)?;
    let since = now - Duration::minutes(ACCOUNT_EMAIL_WINDOW_MINUTES);
    OutboxEmail::queued_since(conn, &account.email, kinds, since)
}

/// The emails of registration that carry a password link.
#[derive(Debug, Clone, Copy)]
enum LinkMail {
    /// A member's new account: the link chooses its first password.
    MemberActivation,
    /// A RAC's new account: the same, in the words of the "Autre profil" form.
    RacActivation,
    /// A member registering again: the link resets the existing account's password.
    AlreadyExists,
}

/// Issues the password link `mail` carries for `account` and queues the email to its address.
fn send_link(
    conn: &mut DbConnection,
    account: &Account,
    mail: LinkMail,
    frontend_url: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (link_purpose, valid_hours) = match mail {
        LinkMail::MemberActivation | LinkMail::RacActivation => {
            (purpose::ACTIVATION, ACTIVATION_HOURS)
        }
        LinkMail::AlreadyExists => (purpose::RESET, RESET_HOURS),
    };
    let token = PasswordToken::issue(
        conn,
        &account.id,
        link_purpose,
        Duration::hours(valid_hours.into()),
        now,
    )?;
    let (greeting_name, identifier) = (account.greeting_name(), account.identifier.clone());
    let link = password_link(frontend_url, &token);
    let template = match mail {
        LinkMail::MemberActivation => Template::AccountActivation {
            greeting_name,
            identifier,
            link,
            valid_hours,
        },
        LinkMail::RacActivation => Template::RacAccountCreated {
            greeting_name,
            identifier,
            link,
            valid_hours,
        },
        LinkMail::AlreadyExists => Template::AccountAlreadyExists {
            greeting_name,
            identifier,
            reset_link: link,
            valid_hours,
        },
    };
    outbox::enqueue(conn, &account.email, &template)
}

/// Sends `account` (still pending) a new activation link, in the words of its registration
/// path; the earlier links keep working until they expire.
pub fn resend_activation(
    conn: &mut DbConnection,
    account: &Account,
    frontend_url: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mail = if account.member_id.is_some() {
        LinkMail::MemberActivation
    } else {
        LinkMail::RacActivation
    };
    send_link(conn, account, mail, frontend_url, now)
}

/// Sends `account` a password reset link, as a lost-password request would.
pub fn send_reset(
    conn: &mut DbConnection,
    account: &Account,
    frontend_url: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let token = PasswordToken::issue(
        conn,
        &account.id,
        purpose::RESET,
        Duration::hours(RESET_HOURS.into()),
        now,
    )?;
    outbox::enqueue(
        conn,
        &account.email,
        &Template::PasswordReset {
            accounts: vec![(
                account.identifier.clone(),
                password_link(frontend_url, &token),
            )],
            valid_hours: RESET_HOURS,
        },
    )
}

/// The validated "Autre profil" form.
#[derive(Debug, Clone)]
pub struct ExternalProfile {
    /// The chosen identifier, checked.
    pub identifier: String,
    /// The address, lower-cased; the activation link goes there.
    pub email: String,
    /// `M` or `MME`.
    pub civility: String,
    /// Last name, trimmed.
    pub last_name: String,
    /// First name, trimmed.
    pub first_name: String,
    /// Phone number in its stored form, if one was given.
    pub phone: Option<String>,
    /// Postal address.
    pub address: String,
    /// City.
    pub city: String,
    /// 5 digits.
    pub postal_code: String,
    /// Year of birth.
    pub birth_year: i32,
    /// Agrees to receive the Ordre's communications.
    pub accepts_communications: bool,
}

/// What happened with an external registration.
#[derive(Debug, PartialEq, Eq)]
pub enum ExternalRegistration {
    /// A new pending RAC account; the activation email is queued.
    Created,
    /// The address already has an account: a notice went there instead of a second account.
    EmailAlreadyUsed,
    /// Someone else has this identifier (the caller chose it, so saying so reveals nothing new).
    IdentifierTaken,
}

/// Creates an "Autre profil" (RAC) account.
pub fn register_external(
    conn: &mut DbConnection,
    profile: &ExternalProfile,
    frontend_url: &str,
    now: NaiveDateTime,
) -> QueryResult<ExternalRegistration> {
    if Account::find_by_identifier(conn, &profile.identifier)?.is_some() {
        return Ok(ExternalRegistration::IdentifierTaken);
    }
    let existing = Account::find_by_email(conn, &profile.email)?;
    if let Some(first) = existing.first() {
        if recently_emailed(conn, first, &EXTERNAL_ACCOUNT_EMAILS, now)? {
            return Ok(ExternalRegistration::EmailAlreadyUsed);
        }
        outbox::enqueue(
            conn,
            &profile.email,
            &Template::EmailAlreadyUsed {
                identifiers: existing.iter().map(|a| a.identifier.clone()).collect(),
                recovery_url: format!("{frontend_url}{}", crate::front_end::RECOVERY_PAGE),
            },
        )?;
        return Ok(ExternalRegistration::EmailAlreadyUsed);
    }
    let account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        identifier: profile.identifier.clone(),
        email: profile.email.clone(),
        quality_code: "autre_profil".to_owned(),
        member_id: None,
        civility: profile.civility.clone(),
        last_name: profile.last_name.clone(),
        first_name: profile.first_name.clone(),
        phone: profile.phone.clone(),
        address: Some(profile.address.clone()),
        city: Some(profile.city.clone()),
        postal_code: Some(profile.postal_code.clone()),
        birth_year: Some(profile.birth_year),
        accepts_communications: profile.accepts_communications,
        password_hash: None,
        status: status::PENDING.to_owned(),
        created_at: now,
        updated_at: now,
        activated_at: None,
    };
    match conn.transaction(|conn| Account::insert(conn, &account)) {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => return Ok(ExternalRegistration::IdentifierTaken),
        Err(e) => return Err(e),
    }
    send_link(conn, &account, LinkMail::RacActivation, frontend_url, now)?;
    Ok(ExternalRegistration::Created)
}
