//! Opening a session and handing out its tokens: shared by every sign-in method
//! (password, Expertpass, Signexpert), which differ only in how they prove who the caller is.

use super::access;
use crate::domain::states::SecurityEventKind;
use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        sessions::{NewSession, Session},
    },
    error::ApiError,
    flows::Client,
};

/// A session just opened or refreshed, with its tokens: what every sign-in method ends with.
#[derive(Debug)]
pub struct SignedIn {
    /// The signed-in account.
    pub account: Account,
    /// The session (its id is the `sid` claim; `keep_active` sets the refresh token's lifetime).
    pub session: Session,
    /// JWT for `Authorization: Bearer …`, valid [`access::ACCESS_TOKEN_SECONDS`].
    pub access_token: String,
    /// Opaque, single use: exchanged for a new pair at the next refresh.
    pub refresh_token: String,
}

/// Who is signing in, and from where.
pub struct SignInContext {
    /// How the caller proved who they are (`pwd`, `qr`, `x509`).
    pub amr: &'static str,
    /// "Garder ma session active".
    pub keep_active: bool,
    /// Where the sign-in comes from.
    pub client: Client,
}

/// Opens a session for `account` (one transaction with its security event) and signs the tokens.
pub async fn open(
    ctx: &ApiContext,
    account: Account,
    sign_in: SignInContext,
) -> Result<SignedIn, ApiError> {
    crate::measures::sign_in(sign_in.amr, "signed_in");
    let account_id = account.id.clone();
    let lifetimes = ctx.settings.session_lifetimes;
    let (session, refresh_token, roles) = ctx
        .db
        .run(move |conn| {
            let (session, refresh_token) = Session::open(
                conn,
                NewSession {
                    account_id: &account_id,
                    amr: sign_in.amr,
                    keep_active: sign_in.keep_active,
                    client_address: Some(sign_in.client.address),
                    user_agent: sign_in.client.user_agent,
                },
                SecurityEventKind::SignIn,
                db::now(),
                &lifetimes,
            )?;
            let roles = role_claims(conn, &account_id)?;
            Ok((session, refresh_token, roles))
        })
        .await?;
    issue(ctx, account, session, refresh_token, roles)
}

/// The `roles` claim of the account's access tokens: its staff roles, `council:{region}` for a
/// council role.
pub fn role_claims(
    conn: &mut db::DbConnection,
    account_id: &str,
) -> diesel::QueryResult<Vec<String>> {
    Ok(db::staff::StaffRole::of_account(conn, account_id)?
        .into_iter()
        .map(|r| match r.region_code {
            Some(region) => format!("{}:{region}", r.role.as_str()),
            None => r.role.as_str().to_owned(),
        })
        .collect())
}

/// Signs an access token for `session`.
pub fn issue(
    ctx: &ApiContext,
    account: Account,
    session: Session,
    refresh_token: String,
    roles: Vec<String>,
) -> Result<SignedIn, ApiError> {
    let access_token = access::issue(
        &ctx.keys.current(),
        &ctx.settings.jwt_issuer,
        &ctx.settings.jwt_audience,
        &account.id,
        &session.id,
        &session.amr,
        roles,
    )
    .map_err(ApiError::internal)?;
    Ok(SignedIn {
        account,
        session,
        access_token,
        refresh_token,
    })
}

/// Closes the live session a refresh token belongs to (sign-out by the refresh token alone) and
/// records the sign-out, in one transaction; an unknown, expired or revoked token changes nothing.
pub fn sign_out_by_refresh_token(
    conn: &mut db::DbConnection,
    presented: &str,
    client_address: &str,
) -> diesel::QueryResult<()> {
    db::scoped_write_transaction(conn, |conn, touched| {
        let now = db::now();
        let Some(session) = Session::find_live_by_refresh_token(conn, presented, now)? else {
            return Ok(());
        };
        Session::sign_out(
            conn,
            touched,
            &session.account_id,
            &session.id,
            &session.amr,
            client_address,
            now,
        )?;
        Ok(())
    })
}
