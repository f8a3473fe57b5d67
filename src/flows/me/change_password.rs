//! Changing one's password ("Changer mot de passe"): the current password first, then the new
//! one under the policy; every other session is signed out and the owner is told by email.

use crate::{
    auth::{
        extractor::Authenticated,
        password::{self as hashing, Verification},
    },
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        login_throttles,
        password_tokens::PasswordToken,
        security_events::{NewEvent, SecurityEvent},
        sessions::Session,
    },
    domain::{password::NewPassword, states::SecurityEventKind},
    error::{ApiError, ErrorCode},
    flows::{recovery::hash_new_password, Client},
    mail::{outbox, templates::Template},
};

/// Replaces the caller's password with `new` once `current` is verified. The caller's own
/// session stays open; every other one is revoked, every password link spent. Refused with
/// `current_password_incorrect` (counted towards the identifier's lock), `rate_limited` while
/// it is locked, and `password_policy` listing every rule `new` breaks.
pub async fn change_password(
    ctx: &ApiContext,
    auth: &Authenticated,
    client: Client,
    current: String,
    new: NewPassword,
) -> Result<(), ApiError> {
    let account = verify_current_password(ctx, auth, current).await?;
    let new_hash = hash_new_password(
        ctx,
        new,
        &account.identifier,
        ("new_password", "new_password_confirmation"),
    )
    .await?;
    let session_id = auth.session_id.clone();
    // The time of the write, after the hashing.
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            Ok(db::scoped_write_transaction(conn, |conn, touched| {
                Account::set_password(conn, &account.id, &new_hash, now)?;
                touched.account(&account.id);
                PasswordToken::consume_all_for_account(conn, &account.id, now)?;
                Session::revoke_all_for_account(
                    conn,
                    touched,
                    &account.id,
                    Some(&session_id),
                    now,
                    "password_changed",
                )?;
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind: SecurityEventKind::PasswordChanged,
                        method: None,
                        client_address: Some(&client.address),
                        session_id: Some(&session_id),
                    },
                    now,
                )?;
                outbox::enqueue(
                    conn,
                    &account.email,
                    &Template::PasswordChanged {
                        greeting_name: account.greeting_name(),
                    },
                )
            })?)
        })
        .await
}

/// Re-authenticates the signed-in owner before a sensitive change: `typed` must be the
/// account's password. A wrong one counts towards the identifier's lock, like at sign-in.
pub async fn verify_current_password(
    ctx: &ApiContext,
    auth: &Authenticated,
    typed: String,
) -> Result<Account, ApiError> {
    let account_id = auth.account_id.clone();
    let now = ctx.clock.now();
    let (account, throttle) = ctx
        .db
        .run(move |conn| {
            let Some(account) = Account::find(conn, &account_id)? else {
                return Ok(None);
            };
            let throttle = login_throttles::throttle(conn, &account.identifier, now)?;
            Ok(Some((account, throttle)))
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    if let Some(seconds) = throttle.locked_for {
        return Err(ApiError::rate_limited(u64::try_from(seconds).unwrap_or(1)));
    }
    let verification = hashing::verify_async(typed, account.password_hash.clone()).await?;
    if verification == Verification::Mismatch {
        let identifier = account.identifier.clone();
        let now = ctx.clock.now();
        ctx.db
            .run(move |conn| Ok(login_throttles::record_failure(conn, &identifier, now)?))
            .await?;
        return Err(ApiError::of(ErrorCode::CurrentPasswordIncorrect));
    }
    Ok(account)
}
