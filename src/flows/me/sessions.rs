//! The account's open sessions: listing them, and closing one of them (another device, a
//! forgotten browser).

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        security_events::{NewEvent, SecurityEvent},
        sessions::Session,
    },
    domain::states::SecurityEventKind,
    error::ApiError,
};

/// The caller's live sessions, newest first.
pub async fn list_sessions(
    ctx: &ApiContext,
    auth: &Authenticated,
) -> Result<Vec<Session>, ApiError> {
    let account_id = auth.account_id.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| Ok(Session::list_live(conn, &account_id, now)?))
        .await
}

/// Closes the caller's session `id`, recorded in the security history. Another account's session
/// is `not_found`, like one that does not exist or is already closed.
pub async fn revoke_session(
    ctx: &ApiContext,
    auth: &Authenticated,
    id: String,
) -> Result<(), ApiError> {
    let account_id = auth.account_id.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                if !Session::revoke(conn, touched, &account_id, &id, now, "revoked_by_owner")? {
                    return Err(ApiError::not_found());
                }
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account_id,
                        kind: SecurityEventKind::SessionRevoked,
                        method: None,
                        client_address: None,
                        session_id: Some(&id),
                    },
                    now,
                )?;
                Ok(())
            })
        })
        .await
}
