//! Reading the signed-in account's profile.

use crate::{
    auth::extractor::Authenticated, context::ApiContext, db::accounts::Account, error::ApiError,
};

/// The caller's own account; `not_found` if it has gone since the token was issued.
pub async fn profile(ctx: &ApiContext, auth: &Authenticated) -> Result<Account, ApiError> {
    let id = auth.account_id.clone();
    ctx.db
        .run(move |conn| Ok(Account::find(conn, &id)?))
        .await?
        .ok_or_else(ApiError::not_found)
}
