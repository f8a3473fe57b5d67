//! « Identifiant ou mot de passe oublié » and the password links: asking for one, reading one, setting the password.

pub mod inspect_link;
pub mod request_recovery;
pub mod set_password;

use crate::{
    auth::password as hashing,
    context::ApiContext,
    db::{accounts::Account, password_tokens::PasswordToken},
    domain::{password::NewPassword, tokens},
    error::{ApiError, ErrorCode},
};

/// `link_invalid` for a password link that is unknown, used or expired: the three are not told apart.
pub fn link_invalid() -> ApiError {
    ApiError::of(ErrorCode::LinkInvalid)
}

/// The link `token` names and its account, if it is still valid; `link_invalid` otherwise (a
/// token that cannot be one never reaches the database).
async fn valid_link(ctx: &ApiContext, token: String) -> Result<(PasswordToken, Account), ApiError> {
    if !tokens::is_well_formed(&token) {
        return Err(link_invalid());
    }
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| Ok(PasswordToken::find_valid(conn, &token, now)?))
        .await?
        .ok_or_else(link_invalid)
}

/// The hash of `new` as the password of the account `identifier`, once it meets the policy;
/// `password_policy` listing every rule it breaks otherwise (`fields` names the password's field
/// and its confirmation's).
pub(crate) async fn hash_new_password(
    ctx: &ApiContext,
    new: NewPassword,
    identifier: &str,
    fields: (&str, &str),
) -> Result<String, ApiError> {
    let issues = new.issues(ctx.settings.password_min_length, identifier, fields);
    if !issues.is_empty() {
        return Err(ApiError::password_policy(issues));
    }
    Ok(hashing::hash_async(new.password).await?)
}
