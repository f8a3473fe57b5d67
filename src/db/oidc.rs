//! What the OpenID Connect provider keeps once a user has signed in: the browser's SSO cookie,
//! the relying parties' grants with their rotating refresh tokens, and the back-channel logout
//! notices owed when an SSO session ends (migration 000020).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{
    outbox::LAST_ERROR_MAX_CHARS,
    schema::{
        oauth_clients, oidc_grants, oidc_refresh_tokens, outbox_logouts, sessions, sso_cookies,
    },
    sessions::{Session, CONCURRENT_REFRESH_GRACE_SECS},
    DbConnection,
};
use crate::domain::tokens;

/// The live session a browser's SSO cookie stands for, if any.
pub fn session_of_cookie(
    conn: &mut DbConnection,
    cookie: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Session>> {
    if !tokens::is_well_formed(cookie) {
        return Ok(None);
    }
    sso_cookies::table
        .inner_join(sessions::table)
        .filter(sso_cookies::cookie_hash.eq(tokens::digest(cookie)))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(Session::as_select())
        .first(conn)
        .optional()
}

/// A new SSO cookie value for `session_id` (its digest is stored).
pub fn issue_cookie(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let cookie = tokens::random_token();
    diesel::insert_into(sso_cookies::table)
        .values((
            sso_cookies::cookie_hash.eq(tokens::digest(&cookie)),
            sso_cookies::session_id.eq(session_id),
            sso_cookies::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(cookie)
}

/// One relying party's tokens for one sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = oidc_grants)]
pub struct Grant {
    pub id: String,
    pub client_id: String,
    pub account_id: String,
    /// The SSO session: the grant ends with it.
    pub session_id: String,
    pub scope: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

/// The outcome of presenting a refresh token at the token endpoint.
pub enum GrantRefresh {
    /// A new refresh token; the grant and its SSO session are live.
    Rotated {
        grant: Box<Grant>,
        refresh_token: String,
    },
    /// Unknown, expired, revoked, another client's, or a concurrent duplicate.
    Refused,
    /// A token rotated earlier was presented again: the grant is now revoked.
    Reused,
}

impl Grant {
    /// Opens a grant (`id` chosen by the code's redemption) with its first refresh token.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        conn: &mut DbConnection,
        id: String,
        client_id: &str,
        account_id: &str,
        session_id: &str,
        scope: &str,
        lifetime: Duration,
        now: NaiveDateTime,
    ) -> QueryResult<(Grant, String)> {
        let grant = Grant {
            id,
            client_id: client_id.to_owned(),
            account_id: account_id.to_owned(),
            session_id: session_id.to_owned(),
            scope: scope.to_owned(),
            created_at: now,
            expires_at: now + lifetime,
            revoked_at: None,
            revoked_reason: None,
        };
        diesel::insert_into(oidc_grants::table)
            .values(&grant)
            .execute(conn)?;
        let token = insert_refresh(conn, &grant.id, now)?;
        Ok((grant, token))
    }

    /// The grant if it, and its SSO session, are live.
    pub fn find_live(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Grant>> {
        oidc_grants::table
            .inner_join(sessions::table)
            .filter(oidc_grants::id.eq(id))
            .filter(oidc_grants::revoked_at.is_null())
            .filter(oidc_grants::expires_at.gt(now))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .select(Grant::as_select())
            .first(conn)
            .optional()
    }

    /// Revokes the grant `id` (a replayed code names it); true when it was live.
    pub fn revoke(
        conn: &mut DbConnection,
        id: &str,
        reason: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::update(oidc_grants::table.find(id))
            .filter(oidc_grants::revoked_at.is_null())
            .set((
                oidc_grants::revoked_at.eq(now),
                oidc_grants::revoked_reason.eq(reason),
            ))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Exchanges `presented` for a new refresh token of `client_id`'s grant, in the caller's
    /// write transaction.
    pub fn refresh(
        conn: &mut DbConnection,
        client_id: &str,
        presented: &str,
        now: NaiveDateTime,
    ) -> QueryResult<GrantRefresh> {
        if !tokens::is_well_formed(presented) {
            return Ok(GrantRefresh::Refused);
        }
        let hash = tokens::digest(presented);
        let Some((grant_id, rotated_at)) = oidc_refresh_tokens::table
            .find(&hash)
            .select((
                oidc_refresh_tokens::grant_id,
                oidc_refresh_tokens::rotated_at,
            ))
            .first::<(String, Option<NaiveDateTime>)>(conn)
            .optional()?
        else {
            return Ok(GrantRefresh::Refused);
        };
        let Some(grant) = Self::find_live(conn, &grant_id, now)? else {
            return Ok(GrantRefresh::Refused);
        };
        if grant.client_id != client_id {
            // Another client's token: never theirs to use, and no reason to revoke the owner's.
            return Ok(GrantRefresh::Refused);
        }
        if let Some(rotated) = rotated_at {
            if (now - rotated).num_seconds() <= CONCURRENT_REFRESH_GRACE_SECS {
                return Ok(GrantRefresh::Refused);
            }
            Self::revoke(conn, &grant.id, "refresh_token_reused", now)?;
            return Ok(GrantRefresh::Reused);
        }
        let taken = diesel::update(oidc_refresh_tokens::table.find(&hash))
            .filter(oidc_refresh_tokens::rotated_at.is_null())
            .set(oidc_refresh_tokens::rotated_at.eq(now))
            .execute(conn)?;
        if taken != 1 {
            return Ok(GrantRefresh::Refused);
        }
        let refresh_token = insert_refresh(conn, &grant.id, now)?;
        Ok(GrantRefresh::Rotated {
            grant: Box::new(grant),
            refresh_token,
        })
    }
}

fn insert_refresh(
    conn: &mut DbConnection,
    grant_id: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = tokens::random_token();
    diesel::insert_into(oidc_refresh_tokens::table)
        .values((
            oidc_refresh_tokens::token_hash.eq(tokens::digest(&token)),
            oidc_refresh_tokens::grant_id.eq(grant_id),
            oidc_refresh_tokens::issued_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Ends the relying parties' grants of the SSO sessions `session_ids` that just ended, and
/// queues a back-channel logout notice for each client of those sessions that registered a
/// logout URI, in the caller's transaction: the session's end and the notices commit together.
/// A client had a session when it exchanged a code for it, even if its grant was revoked since.
pub fn sessions_ended(
    conn: &mut DbConnection,
    session_ids: &[String],
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if session_ids.is_empty() {
        return Ok(0);
    }
    diesel::update(
        oidc_grants::table
            .filter(oidc_grants::session_id.eq_any(session_ids))
            .filter(oidc_grants::revoked_at.is_null()),
    )
    .set((
        oidc_grants::revoked_at.eq(now),
        oidc_grants::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    let owed: Vec<(String, String, String, String)> = oidc_grants::table
        .inner_join(oauth_clients::table)
        .filter(oidc_grants::session_id.eq_any(session_ids))
        .filter(oauth_clients::backchannel_logout_uri.is_not_null())
        .select((
            oidc_grants::client_id,
            oauth_clients::backchannel_logout_uri.assume_not_null(),
            oidc_grants::account_id,
            oidc_grants::session_id,
        ))
        .distinct()
        .load(conn)?;
    for (client_id, uri, account_id, session_id) in &owed {
        diesel::insert_into(outbox_logouts::table)
            .values(LogoutNotice {
                id: uuid::Uuid::now_v7().to_string(),
                client_id: client_id.clone(),
                uri: uri.clone(),
                account_id: account_id.clone(),
                session_id: session_id.clone(),
                created_at: now,
                attempts: 0,
                next_attempt_at: now,
                locked_until: None,
                sent_at: None,
                dead_at: None,
                last_error: None,
            })
            .execute(conn)?;
    }
    Ok(owed.len())
}

/// A back-channel logout notice, delivered or not.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox_logouts)]
pub struct LogoutNotice {
    pub id: String,
    pub client_id: String,
    pub uri: String,
    pub account_id: String,
    pub session_id: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub dead_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

impl LogoutNotice {
    /// Up to `limit` notices due and not held by another instance, oldest first.
    pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Self>> {
        outbox_logouts::table
            .filter(outbox_logouts::sent_at.is_null())
            .filter(outbox_logouts::dead_at.is_null())
            .filter(outbox_logouts::next_attempt_at.le(now))
            .filter(
                outbox_logouts::locked_until
                    .is_null()
                    .or(outbox_logouts::locked_until.lt(now)),
            )
            .order((outbox_logouts::created_at, outbox_logouts::id))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Takes the notice for `lease` (one conditional update: of two instances, one wins).
    pub fn claim(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
        lease: Duration,
    ) -> QueryResult<bool> {
        diesel::update(outbox_logouts::table.find(id))
            .filter(outbox_logouts::sent_at.is_null())
            .filter(outbox_logouts::dead_at.is_null())
            .filter(
                outbox_logouts::locked_until
                    .is_null()
                    .or(outbox_logouts::locked_until.lt(now)),
            )
            .set(outbox_logouts::locked_until.eq(now + lease))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Records the client's acknowledgement.
    pub fn mark_sent(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(outbox_logouts::table.find(id))
            .set((
                outbox_logouts::sent_at.eq(now),
                outbox_logouts::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Records a failed attempt: retried after `retry_in`, or given up when `dead`.
    pub fn mark_failed(
        conn: &mut DbConnection,
        id: &str,
        error: &str,
        now: NaiveDateTime,
        retry_in: Duration,
        dead: bool,
    ) -> QueryResult<()> {
        let error: String = error.chars().take(LAST_ERROR_MAX_CHARS).collect();
        diesel::update(outbox_logouts::table.find(id))
            .set((
                outbox_logouts::attempts.eq(outbox_logouts::attempts + 1),
                outbox_logouts::last_error.eq(error),
                outbox_logouts::next_attempt_at.eq(now + retry_in),
                outbox_logouts::locked_until.eq(None::<NaiveDateTime>),
                outbox_logouts::dead_at.eq(dead.then_some(now)),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Every notice of `client_id`, newest first (tests, operators).
    pub fn of_client(conn: &mut DbConnection, client_id: &str) -> QueryResult<Vec<Self>> {
        outbox_logouts::table
            .filter(outbox_logouts::client_id.eq(client_id))
            .order(outbox_logouts::created_at.desc())
            .select(Self::as_select())
            .load(conn)
    }
}
