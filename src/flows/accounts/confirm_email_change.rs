//! Confirming a new email address with the link sent to it: the account then uses that address.
//! The link works once.

use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        email_verifications::EmailVerification,
        security_events::{NewEvent, SecurityEvent},
    },
    domain::{states::SecurityEventKind, tokens},
    error::{details, ApiError, ErrorCode},
};

/// Spends the link `token` and moves its account to the new address, recorded in the account's
/// security history; returns the address now in use. Refused with `link_invalid` for a token
/// that is unknown, used or expired (not told apart).
pub async fn confirm_email_change(ctx: &ApiContext, token: String) -> Result<String, ApiError> {
    // Junk never reaches the database.
    if !tokens::is_well_formed(&token) {
        return Err(link_invalid());
    }
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let pending =
                    EmailVerification::consume(conn, &token, now)?.ok_or_else(link_invalid)?;
                Account::set_email(conn, &pending.account_id, &pending.new_email, now)?;
                touched.account(&pending.account_id);
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &pending.account_id,
                        kind: SecurityEventKind::EmailChanged,
                        method: None,
                        client_address: None,
                        session_id: None,
                    },
                    now,
                )?;
                Ok(pending.new_email)
            })
        })
        .await
}

/// 410 for a link that is unknown, used or expired, pointing at the email-change page.
fn link_invalid() -> ApiError {
    ApiError::of(ErrorCode::LinkInvalid).with_detail(details::EMAIL_CHANGE_LINK)
}
