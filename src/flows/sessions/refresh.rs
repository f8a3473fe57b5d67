//! Refreshing a session: a refresh token is exchanged for a new pair, once (rotation). A token
//! exchanged earlier and presented again revokes its whole session (theft detection); of two
//! simultaneous exchanges of one token, exactly one succeeds.

use crate::{
    auth::session_tokens::{self, SignedIn},
    context::ApiContext,
    db::sessions::{Refresh, Session},
    domain::tokens,
    error::{ApiError, ErrorCode},
};

/// Exchanges `presented` for a new access token and refresh token. Refused with
/// `invalid_refresh_token` when the token is malformed, unknown, already used, expired, or its
/// session is closed.
pub async fn refresh(ctx: &ApiContext, presented: String) -> Result<SignedIn, ApiError> {
    if !tokens::is_well_formed(&presented) {
        return Err(invalid_refresh_token());
    }
    let now = ctx.clock.now();
    let lifetimes = ctx.settings.session_lifetimes;
    let (refreshed, roles) = ctx
        .db
        .run(move |conn| {
            let refreshed = Session::refresh(conn, &presented, now, &lifetimes)?;
            let roles = match &refreshed {
                Refresh::Rotated { account, .. } => session_tokens::role_claims(conn, &account.id)?,
                _ => Vec::new(),
            };
            Ok((refreshed, roles))
        })
        .await?;
    match refreshed {
        Refresh::Rotated {
            account,
            session,
            refresh_token,
        } => {
            crate::measures::refresh("rotated");
            session_tokens::issue(ctx, *account, session, refresh_token, roles)
        }
        Refresh::Reused { session } => {
            crate::measures::refresh("reuse_detected");
            tracing::warn!(session = %session.id, "refresh token reused: session revoked");
            Err(invalid_refresh_token())
        }
        Refresh::Refused => {
            crate::measures::refresh("refused");
            Err(invalid_refresh_token())
        }
    }
}

/// 401 `invalid_refresh_token`: one answer for every token that does not refresh.
fn invalid_refresh_token() -> ApiError {
    ApiError::of(ErrorCode::InvalidRefreshToken)
}
