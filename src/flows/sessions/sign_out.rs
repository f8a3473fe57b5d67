//! « Déconnexion »: closing the caller's session, with its access token or with a refresh token
//! alone (for a client whose access token has expired, such as the mobile app).

use crate::{
    auth::{extractor::Authenticated, session_tokens},
    context::ApiContext,
    db::{self, sessions::Session},
    domain::tokens,
    error::ApiError,
    flows::Client,
};

/// Closes the caller's own session: its refresh token stops working at once and its access
/// tokens are refused from the next request. The sign-out is recorded with the revocation (one
/// transaction), only when this call closed the session.
pub async fn sign_out(
    ctx: &ApiContext,
    auth: &Authenticated,
    client: Client,
) -> Result<(), ApiError> {
    let now = ctx.clock.now();
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            Ok(db::scoped_write_transaction(conn, |conn, touched| {
                Session::sign_out(
                    conn,
                    touched,
                    &auth.account_id,
                    &auth.session_id,
                    &auth.amr,
                    &client.address,
                    now,
                )?;
                diesel::QueryResult::Ok(())
            })?)
        })
        .await
}

/// Closes the live session `presented` (a refresh token, its latest or an earlier one) belongs
/// to. A malformed, unknown, expired or revoked token changes nothing and is no error: the answer
/// tells nothing about tokens, and signing out twice is fine.
pub async fn sign_out_by_refresh_token(
    ctx: &ApiContext,
    presented: String,
    client: Client,
) -> Result<(), ApiError> {
    if !tokens::is_well_formed(&presented) {
        return Ok(());
    }
    ctx.db
        .run(move |conn| {
            Ok(session_tokens::sign_out_by_refresh_token(
                conn,
                &presented,
                &client.address,
            )?)
        })
        .await
}
