//! Changing one's email ("Changer mon email"): the current password first; a verification link
//! goes to the new address and a notice to the current one. The change applies when the link is
//! opened ([`crate::flows::accounts::confirm_email_change`]).

use super::change_password::verify_current_password;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        email_verifications::{EmailVerification, VERIFICATION_HOURS},
        security_events::{NewEvent, SecurityEvent},
    },
    domain::{
        email::{mask, Email},
        states::SecurityEventKind,
    },
    error::{ApiError, FieldIssue},
    i18n::Text,
    mail::{outbox, templates::Template},
};

/// Sends the link that moves the caller's account to `new_email` and returns that address,
/// masked. Refused with `validation_failed` for an address that is malformed or already the
/// account's, and as [`verify_current_password`] refuses a wrong or locked password.
pub async fn request_email_change(
    ctx: &ApiContext,
    auth: &Authenticated,
    new_email: &str,
    current_password: String,
) -> Result<String, ApiError> {
    let new_email = Email::parse(new_email, "new_email")
        .map_err(|issue| ApiError::validation(vec![issue]))?
        .into_inner();
    let account = verify_current_password(ctx, auth, current_password).await?;
    if account.email == new_email {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "new_email",
            "unchanged",
            Text::new("C'est déjà votre adresse.", "This is already your address."),
        )]));
    }
    let link_base = format!(
        "{}{}",
        ctx.settings.frontend_url,
        crate::front_end::EMAIL_VERIFICATION_PAGE
    );
    let session_id = auth.session_id.clone();
    let masked = mask(&new_email);
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            Ok(db::scoped_write_transaction(conn, |conn, _| {
                let token = EmailVerification::issue(conn, &account.id, &new_email, now)?;
                outbox::enqueue(
                    conn,
                    &new_email,
                    &Template::EmailChangeVerification {
                        greeting_name: account.greeting_name(),
                        link: format!("{link_base}#token={token}"),
                        valid_hours: VERIFICATION_HOURS,
                    },
                )?;
                outbox::enqueue(
                    conn,
                    &account.email,
                    &Template::EmailChangeNotice {
                        greeting_name: account.greeting_name(),
                        new_email_masked: mask(&new_email),
                    },
                )?;
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind: SecurityEventKind::EmailChangeRequested,
                        method: None,
                        client_address: None,
                        session_id: Some(&session_id),
                    },
                    now,
                )
            })?)
        })
        .await?;
    Ok(masked)
}
