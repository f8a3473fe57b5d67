//! Setting the password through an emailed link: it activates a pending account (activation) or
//! replaces a forgotten password (reset, which also signs every session out and tells the owner).
//! The link works once, even when two requests race.

use super::{hash_new_password, link_invalid, valid_link};
use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        password_tokens::{purpose, PasswordToken},
        security_events::{NewEvent, SecurityEvent},
        sessions::Session,
    },
    domain::states::SecurityEventKind,
    error::ApiError,
    mail::{outbox, templates::Template},
};

pub use crate::domain::password::NewPassword;

/// Sets `new` as the password of the account the link `token` belongs to and spends every
/// link of that account. Refused with `link_invalid` for a link unknown, used or expired, and
/// with `password_policy` listing every rule the password breaks.
pub async fn set_password(
    ctx: &ApiContext,
    token: String,
    new: NewPassword,
) -> Result<(), ApiError> {
    let (link, account) = valid_link(ctx, token).await?;
    let password_hash = hash_new_password(
        ctx,
        new,
        &account.identifier,
        ("password", "password_confirmation"),
    )
    .await?;

    // The time of the write, after the hashing.
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                // The conditional update makes the link single use even when two requests race.
                if !PasswordToken::consume(conn, &link.id, now)? {
                    return Err(link_invalid());
                }
                PasswordToken::consume_all_for_account(conn, &account.id, now)?;
                Account::set_password(conn, &account.id, &password_hash, now)?;
                // An activation makes the account active: its profile shows it.
                touched.account(&account.id);
                // In the owner's history, as the guide's "historique" shows it.
                let kind = if link.purpose == purpose::RESET {
                    SecurityEventKind::PasswordReset
                } else {
                    SecurityEventKind::PasswordSet
                };
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind,
                        method: None,
                        client_address: None,
                        session_id: None,
                    },
                    now,
                )?;
                if link.purpose == purpose::RESET {
                    Session::revoke_all_for_account(
                        conn,
                        touched,
                        &account.id,
                        None,
                        now,
                        "password_reset",
                    )?;
                    outbox::enqueue(
                        conn,
                        &account.email,
                        &Template::PasswordChanged {
                            greeting_name: account.greeting_name(),
                        },
                    )?;
                }
                Ok(())
            })
        })
        .await
}
