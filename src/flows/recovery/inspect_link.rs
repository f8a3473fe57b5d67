//! Reading a password link (activation or reset) before the form is shown. Reading it does not
//! spend it: mail scanners open links before people do.

use chrono::NaiveDateTime;

use super::valid_link;
use crate::{context::ApiContext, error::ApiError};

/// What a valid link is for.
#[derive(Debug)]
pub struct PasswordLink {
    /// `activation` (first password of a new account) or `reset` (lost password).
    pub purpose: String,
    /// The identifier the password will belong to.
    pub identifier: String,
    /// When the link stops working (UTC).
    pub expires_at: NaiveDateTime,
}

/// The link `token` names, if it is still valid; refused with `link_invalid` otherwise.
pub async fn inspect_link(ctx: &ApiContext, token: String) -> Result<PasswordLink, ApiError> {
    let (link, account) = valid_link(ctx, token).await?;
    Ok(PasswordLink {
        purpose: link.purpose,
        identifier: account.identifier,
        expires_at: link.expires_at,
    })
}
