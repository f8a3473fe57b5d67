//! The support desk's work on accounts through the API (`/v1/staff/accounts…`): find an account,
//! see where it stands, lift a sign-in lock, send a new activation or reset link, correct the
//! address, close sessions, and see the emails sent to it with their delivery status. Each action
//! runs in one transaction with its audit record and an event in the owner's security history
//! ("Le support a renvoyé votre lien d'activation"), which the owner reads.

use chrono::NaiveDateTime;
use serde_json::json;

use super::{Actor, Need, Staff};
use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::{self, Account},
        expertpass_devices::ExpertpassDevice,
        login_throttles,
        outbox::OutboxEmail,
        registry::Member,
        schema::{outbox_emails, security_events},
        security_events::{NewEvent, SecurityEvent},
        sessions::Session,
        signexpert_certificates::SignexpertCertificate,
        staff::AuditRecord,
        DbConnection,
    },
    domain::{email, names, states::SecurityEventKind},
    error::{ApiError, ErrorCode, FieldIssue},
    flows::support::AccountQuery,
    i18n::Text,
    mail::{outbox, templates::Template},
    registration,
};

/// At most this many accounts per search.
pub const SEARCH_LIMIT: i64 = 20;

/// Accounts `q` names: an email address, a SUPRA number (digits), an identifier, or the start
/// of a member's last name (accent- and case-insensitive, as the register's search). Not
/// audited: it shows only who the accounts are, not where they stand.
pub async fn search(ctx: &ApiContext, actor: &Actor, q: String) -> Result<Vec<Account>, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            Staff::require(conn, &actor, Need::Support, now)?;
            let mut found = match AccountQuery::parse(&q) {
                AccountQuery::Identifier(identifier) => {
                    let mut found: Vec<Account> = Account::find_by_identifier(conn, &identifier)?
                        .into_iter()
                        .collect();
                    let prefix = names::fold_alphanumeric(&q);
                    if prefix.chars().count() >= 2 {
                        for (_, member) in Member::search(conn, &prefix, None, SEARCH_LIMIT)? {
                            if let Some(account) = Account::find_by_member(conn, &member.id)? {
                                if !found.iter().any(|a| a.id == account.id) {
                                    found.push(account);
                                }
                            }
                        }
                        for account in external_accounts_named(conn, &prefix)? {
                            if !found.iter().any(|a| a.id == account.id) {
                                found.push(account);
                            }
                        }
                    }
                    found
                }
                other => other.find(conn)?,
            };
            found.truncate(SEARCH_LIMIT as usize);
            Ok(found)
        })
        .await
}

/// "Autre profil" accounts (RACs: not on the register) whose name the folded `prefix` starts,
/// with the register's keys (last name then first name, from any word of a compound last name;
/// accents, case, hyphens and apostrophes aside). They are read by name only and folded here:
/// there are a few thousand, and a staff search is rare.
fn external_accounts_named(
    conn: &mut DbConnection,
    prefix: &str,
) -> diesel::QueryResult<Vec<Account>> {
    use crate::db::schema::accounts as table;
    use diesel::prelude::*;
    let named: Vec<(String, String, String)> = table::table
        .filter(table::member_id.is_null())
        .order((table::last_name, table::first_name))
        .select((table::id, table::last_name, table::first_name))
        .load(conn)?;
    let mut found = Vec::new();
    for (id, last_name, first_name) in named {
        if found.len() as i64 >= SEARCH_LIMIT {
            break;
        }
        let matches = names::search_key(&last_name, &first_name).starts_with(prefix)
            || names::word_search_keys(&last_name, &first_name)
                .iter()
                .any(|(_, key)| key.starts_with(prefix));
        if matches {
            if let Some(account) = Account::find(conn, &id)? {
                found.push(account);
            }
        }
    }
    Ok(found)
}

/// Where an account stands, as the support desk sees it.
#[derive(Debug, Clone)]
pub struct AccountState {
    pub account: Account,
    pub supra_number: Option<String>,
    /// Until when its identifier may not sign in, when locked now.
    pub locked_until: Option<NaiveDateTime>,
    pub failed_sign_ins: bool,
    pub has_password: bool,
    pub expertpass_devices: i64,
    pub signexpert_certificates: i64,
    /// Its last sign-ins, newest first.
    pub last_sign_ins: Vec<SecurityEvent>,
    /// Its live sessions, newest first.
    pub open_sessions: Vec<Session>,
}

fn account(conn: &mut DbConnection, id: &str) -> Result<Account, ApiError> {
    Account::find(conn, id)?.ok_or_else(|| ApiError::of(ErrorCode::AccountNotFound))
}

/// Records `kind` in the owner's history: the support acted, not a client of the owner's.
fn tell_owner(
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

/// The account `id` and where it stands. Reading it is an access: audited, and in the owner's
/// history (`viewed_by_support`).
pub async fn state(ctx: &ApiContext, actor: &Actor, id: String) -> Result<AccountState, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Support, now)?;
                let account = account(conn, &id)?;
                let throttle = login_throttles::throttle(conn, &account.identifier, now)?;
                let supra_number = match &account.member_id {
                    Some(member_id) => Member::find(conn, member_id)?.map(|m| m.supra_number),
                    None => None,
                };
                let last_sign_ins = security_events::table
                    .filter(security_events::account_id.eq(&account.id))
                    .filter(security_events::kind.eq(SecurityEventKind::SignIn))
                    .order(security_events::id.desc())
                    .limit(5)
                    .select(SecurityEvent::as_select())
                    .load(conn)?;
                let state = AccountState {
                    supra_number,
                    locked_until: throttle
                        .locked_for
                        .map(|s| now + chrono::Duration::seconds(s)),
                    failed_sign_ins: throttle.has_failures,
                    has_password: account.password_hash.is_some(),
                    expertpass_devices: ExpertpassDevice::count(conn, &account.id)?,
                    signexpert_certificates: SignexpertCertificate::count(conn, &account.id)?,
                    last_sign_ins,
                    open_sessions: Session::list_live(conn, &account.id, now)?,
                    account,
                };
                tell_owner(conn, &id, SecurityEventKind::ViewedBySupport, now)?;
                staff.audit(conn, "account.viewed", ("account", &id), None, None, now)?;
                Ok(state)
            })
        })
        .await
}

use diesel::prelude::*;

/// A page of the account's security history, newest first (what its owner sees).
pub async fn security_history(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
    before: Option<String>,
    limit: i64,
) -> Result<Vec<SecurityEvent>, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            Staff::require(conn, &actor, Need::Support, now)?;
            account(conn, &id)?;
            Ok(SecurityEvent::page(conn, &id, before.as_deref(), limit)?)
        })
        .await
}

/// Runs `act` on the account `id` as the support, with its audit record and the owner's event,
/// in one transaction.
async fn act_on<T, F>(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
    action: &'static str,
    kind: SecurityEventKind,
    act: F,
) -> Result<T, ApiError>
where
    F: FnOnce(
            &mut DbConnection,
            &mut db::versions::Touched,
            &Account,
            NaiveDateTime,
        )
            -> Result<(T, Option<serde_json::Value>, Option<serde_json::Value>), ApiError>
        + Send
        + 'static,
    T: Send + 'static,
{
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let staff = Staff::require(conn, &actor, Need::Support, now)?;
                let account = account(conn, &id)?;
                let (done, before, after) = act(conn, touched, &account, now)?;
                tell_owner(conn, &account.id, kind, now)?;
                staff.audit(conn, action, ("account", &account.id), before, after, now)?;
                Ok(done)
            })
        })
        .await
}

/// Lifts the sign-in lock of the account's identifier and forgets its failures.
pub async fn unlock(ctx: &ApiContext, actor: &Actor, id: String) -> Result<(), ApiError> {
    act_on(
        ctx,
        actor,
        id,
        "account.sign_in_unlocked",
        SecurityEventKind::SignInUnlockedBySupport,
        |conn, _, account, now| {
            let throttle = login_throttles::throttle(conn, &account.identifier, now)?;
            login_throttles::clear(conn, &account.identifier)?;
            let locked_until = throttle
                .locked_for
                .map(|s| (now + chrono::Duration::seconds(s)).and_utc().to_rfc3339());
            Ok((
                (),
                Some(json!({"locked_until": locked_until, "failures": throttle.has_failures})),
                Some(json!({"locked_until": null, "failures": false})),
            ))
        },
    )
    .await
}

/// Queues a new activation link to a pending account (`account_already_active` otherwise).
pub async fn resend_activation(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
) -> Result<(), ApiError> {
    let frontend_url = ctx.settings.frontend_url.clone();
    act_on(
        ctx,
        actor,
        id,
        "account.activation_link_sent",
        SecurityEventKind::ActivationLinkResent,
        move |conn, _, account, now| {
            if account.status != accounts::status::PENDING {
                return Err(ApiError::of(ErrorCode::AccountAlreadyActive));
            }
            registration::resend_activation(conn, account, &frontend_url, now)?;
            Ok(((), None, Some(json!({"to": account.email}))))
        },
    )
    .await
}

/// Queues a password reset link to an active account (`account_not_active` otherwise).
pub async fn send_reset(ctx: &ApiContext, actor: &Actor, id: String) -> Result<(), ApiError> {
    let frontend_url = ctx.settings.frontend_url.clone();
    act_on(
        ctx,
        actor,
        id,
        "account.reset_link_sent",
        SecurityEventKind::ResetLinkSentBySupport,
        move |conn, _, account, now| {
            if !account.is_active() {
                return Err(ApiError::of(ErrorCode::AccountNotActive));
            }
            registration::send_reset(conn, account, &frontend_url, now)?;
            Ok(((), None, Some(json!({"to": account.email}))))
        },
    )
    .await
}

/// Replaces the account's address with `new_email` (the guide's "je contacte mon conseil
/// régional" when the address on file is wrong); both addresses are told.
pub async fn correct_email(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
    new_email: String,
) -> Result<Account, ApiError> {
    act_on(
        ctx,
        actor,
        id,
        "account.email_corrected",
        SecurityEventKind::EmailCorrectedBySupport,
        move |conn, touched, account, now| {
            // Read only once the caller is known as support: to anyone else, 404.
            let new_email = email::Email::parse(&new_email, "email")
                .map_err(|issue| ApiError::validation(vec![issue]))?
                .into_inner();
            // Nothing to correct: refused, as the owner's own change is, so that neither the
            // owner's history nor the audit log records a correction that did not happen.
            if new_email == account.email {
                return Err(ApiError::validation(vec![FieldIssue::new(
                    "email",
                    "unchanged",
                    Text::new(
                        "C'est déjà l'adresse du compte.",
                        "This is already the account's address.",
                    ),
                )]));
            }
            Account::set_email(conn, &account.id, &new_email, now)?;
            // The profile shows the address: its cached answers go, here and on other instances.
            touched.account(&account.id);
            let notice = Template::SecurityNotice {
                greeting_name: account.greeting_name(),
                event_fr: format!(
                    "Le support de l'Ordre a remplacé l'adresse email de votre compte par {}.",
                    email::mask(&new_email)
                ),
                event_en: format!(
                    "The Ordre's support replaced your account's email address with {}.",
                    email::mask(&new_email)
                ),
            };
            outbox::enqueue(conn, &account.email, &notice)?;
            outbox::enqueue(conn, &new_email, &notice)?;
            let mut changed = account.clone();
            changed.email = new_email.clone();
            Ok((
                changed,
                Some(json!({"email": account.email})),
                Some(json!({"email": new_email})),
            ))
        },
    )
    .await
}

/// Closes every live session of the account; how many.
pub async fn revoke_sessions(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
) -> Result<usize, ApiError> {
    act_on(
        ctx,
        actor,
        id,
        "account.sessions_revoked",
        SecurityEventKind::SessionsRevokedBySupport,
        |conn, touched, account, now| {
            let live = Session::list_live(conn, &account.id, now)?;
            let revoked =
                Session::revoke_all_for_account(conn, touched, &account.id, None, now, "support")?;
            let ids: Vec<&str> = live.iter().map(|s| s.id.as_str()).collect();
            Ok((
                revoked,
                Some(json!({"open_sessions": ids})),
                Some(json!({"open_sessions": []})),
            ))
        },
    )
    .await
}

/// The sign-in credentials enrolled on the account `id`: Expertpass devices and Signexpert
/// certificates, oldest first. Not audited: the account's state already counts them, and this
/// names them only so that one can be removed.
pub async fn credentials(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
) -> Result<(Vec<ExpertpassDevice>, Vec<SignexpertCertificate>), ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            Staff::require(conn, &actor, Need::Support, now)?;
            let account = account(conn, &id)?;
            Ok((
                ExpertpassDevice::list(conn, &account.id)?,
                SignexpertCertificate::list(conn, &account.id)?,
            ))
        })
        .await
}

/// Removes one Expertpass device of the account (a lost phone): it can no longer approve a
/// sign-in. Sessions it approved stay open; close them with [`revoke_sessions`].
pub async fn remove_device(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
    device_id: String,
) -> Result<(), ApiError> {
    act_on(
        ctx,
        actor,
        id,
        "account.device_removed",
        SecurityEventKind::DeviceRemovedBySupport,
        move |conn, touched, account, _| {
            let device = ExpertpassDevice::delete_owned(conn, &account.id, &device_id)?
                .ok_or_else(ApiError::not_found)?;
            touched.account(&account.id);
            Ok((
                (),
                Some(json!({"device_id": device.id, "name": device.name})),
                None,
            ))
        },
    )
    .await
}

/// Removes one Signexpert certificate of the account: it can no longer sign in with it.
pub async fn remove_certificate(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
    certificate_id: String,
) -> Result<(), ApiError> {
    act_on(
        ctx,
        actor,
        id,
        "account.certificate_removed",
        SecurityEventKind::CertificateRemovedBySupport,
        move |conn, touched, account, _| {
            let certificate =
                SignexpertCertificate::delete_owned(conn, &account.id, &certificate_id)?
                    .ok_or_else(ApiError::not_found)?;
            touched.account(&account.id);
            Ok((
                (),
                Some(json!({"certificate_id": certificate.id, "subject": certificate.subject})),
                None,
            ))
        },
    )
    .await
}

/// An email sent (or being sent) to the account, without its body or links.
#[derive(Debug, Clone)]
pub struct SentEmail {
    pub email: OutboxEmail,
    /// `sent`, `retrying` or `dead`.
    pub status: &'static str,
}

/// The emails sent to the account's address, and to the addresses the support replaced, newest
/// first (at most 100).
pub async fn emails(
    ctx: &ApiContext,
    actor: &Actor,
    id: String,
) -> Result<Vec<SentEmail>, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            Staff::require(conn, &actor, Need::Support, now)?;
            let account = account(conn, &id)?;
            let mut addresses = vec![account.email.clone()];
            for record in AuditRecord::of_target(conn, "account", &account.id)? {
                if record.action != "account.email_corrected" {
                    continue;
                }
                let before: Option<serde_json::Value> = record
                    .before_value
                    .as_deref()
                    .and_then(|v| serde_json::from_str(v).ok());
                if let Some(old) = before.as_ref().and_then(|v| v["email"].as_str()) {
                    if !addresses.iter().any(|a| a == old) {
                        addresses.push(old.to_owned());
                    }
                }
            }
            let found: Vec<OutboxEmail> = outbox_emails::table
                .filter(outbox_emails::recipient.eq_any(&addresses))
                .order(outbox_emails::id.desc())
                .limit(100)
                .select(OutboxEmail::as_select())
                .load(conn)?;
            Ok(found
                .into_iter()
                .map(|email| {
                    let status = if email.sent_at.is_some() {
                        "sent"
                    } else if email.dead_at.is_some() {
                        "dead"
                    } else {
                        "retrying"
                    };
                    SentEmail { email, status }
                })
                .collect())
        })
        .await
}
