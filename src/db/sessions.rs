//! Sessions and their rotating refresh tokens.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{
    schema::{refresh_tokens, sessions},
    DbConnection,
};
use crate::auth::tokens;

/// Counts the revocations made by this process: caches of live sessions compare it to know
/// whether what they saw still holds (see [`crate::auth::access_cache`]).
static REVOCATION_EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The current revocation epoch.
pub fn revocation_epoch() -> u64 {
    REVOCATION_EPOCH.load(std::sync::atomic::Ordering::SeqCst)
}

fn revoked() {
    REVOCATION_EPOCH.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// A sign-in session.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: String,
    pub account_id: String,
    /// `pwd`, `qr` or `x509`.
    pub amr: String,
    pub keep_active: bool,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

/// How long a session's refresh token lives.
pub fn refresh_lifetime(keep_active: bool) -> Duration {
    if keep_active {
        Duration::days(30)
    } else {
        Duration::hours(12)
    }
}

/// A presented refresh token within this many seconds of its rotation is taken for a client's
/// own concurrent retry (one request wins, the other is refused) rather than a theft.
pub const CONCURRENT_REFRESH_GRACE_SECS: i64 = 10;

/// The result of exchanging a refresh token.
pub enum Rotation {
    /// A new token for the session.
    Rotated {
        session: Session,
        refresh_token: String,
    },
    /// Unknown token, expired or revoked session, or a concurrent duplicate: refused quietly.
    Refused,
    /// A token rotated earlier was presented again: the session is now revoked.
    Reused { session: Session },
}

/// Details of a new session.
pub struct NewSession<'a> {
    pub account_id: &'a str,
    pub amr: &'a str,
    pub keep_active: bool,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
}

impl Session {
    /// Opens a session and returns it with its first refresh token.
    pub fn open(
        conn: &mut DbConnection,
        new: NewSession<'_>,
        now: NaiveDateTime,
    ) -> QueryResult<(Session, String)> {
        let session = Session {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: new.account_id.to_owned(),
            amr: new.amr.to_owned(),
            keep_active: new.keep_active,
            client_address: new.client_address,
            user_agent: new.user_agent,
            created_at: now,
            last_used_at: now,
            expires_at: now + refresh_lifetime(new.keep_active),
            revoked_at: None,
            revoked_reason: None,
        };
        diesel::insert_into(sessions::table)
            .values(&session)
            .execute(conn)?;
        let token = issue_refresh(conn, &session.id, now)?;
        Ok((session, token))
    }

    /// PostgreSQL only: the usual exchange (a live token of a live session) as one call of a
    /// PL/pgSQL function whose plans each connection keeps: one round trip instead of the seven of
    /// [`Session::rotate`] in its transaction, and no parsing or planning per refresh (refresh on
    /// PostgreSQL was bound by both). `None` when it did not rotate (SQLite, or an unknown, used,
    /// expired or revoked token, or a concurrent exchange that won): the caller then runs
    /// [`Session::rotate`], which tells these cases apart. Of two concurrent exchanges, the second
    /// waits on the first's row lock, then finds `rotated_at` set and updates nothing.
    pub fn rotate_at_once(
        conn: &mut DbConnection,
        presented_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<(Session, String)>> {
        use diesel::sql_types::{Text, Timestamp};
        let DbConnection::Pg(pg) = conn else {
            return Ok(None);
        };
        let token = tokens::random_token();
        // See migrations/postgres/…_refresh_rotation for what the function does.
        let rotated = diesel::sql_query("SELECT * FROM rotate_refresh_token($1, $2, $3, $4, $5)")
            .bind::<Text, _>(presented_hash)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now + refresh_lifetime(true))
            .bind::<Timestamp, _>(now + refresh_lifetime(false))
            .bind::<Text, _>(tokens::digest(&token))
            .get_result::<Session>(pg)
            .optional()?;
        Ok(rotated.map(|session| (session, token)))
    }

    /// Exchanges a refresh token for a new one (rotation). Run inside a transaction.
    pub fn rotate(
        conn: &mut DbConnection,
        presented: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Rotation> {
        let hash = tokens::digest(presented);
        let found = refresh_tokens::table
            .inner_join(sessions::table)
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((refresh_tokens::rotated_at, Session::as_select()))
            .first::<(Option<NaiveDateTime>, Session)>(conn)
            .optional()?;
        let Some((rotated_at, session)) = found else {
            return Ok(Rotation::Refused);
        };
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(Rotation::Refused);
        }
        if let Some(rotated_at) = rotated_at {
            if now - rotated_at <= Duration::seconds(CONCURRENT_REFRESH_GRACE_SECS) {
                return Ok(Rotation::Refused);
            }
            Self::revoke(conn, &session.id, now, "refresh_token_reuse")?;
            return Ok(Rotation::Reused { session });
        }
        // Only the request whose conditional update succeeds rotates: exactly one winner.
        let claimed = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&hash))
                .filter(refresh_tokens::rotated_at.is_null()),
        )
        .set(refresh_tokens::rotated_at.eq(now))
        .execute(conn)?;
        if claimed != 1 {
            return Ok(Rotation::Refused);
        }
        let expires_at = now + refresh_lifetime(session.keep_active);
        diesel::update(sessions::table.find(&session.id))
            .set((
                sessions::last_used_at.eq(now),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        let refresh_token = issue_refresh(conn, &session.id, now)?;
        Ok(Rotation::Rotated {
            session: Session {
                last_used_at: now,
                expires_at,
                ..session
            },
            refresh_token,
        })
    }

    /// The session if it exists, belongs to nobody else, and is neither revoked nor expired.
    pub fn find_live(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Session>> {
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .select(Session::as_select())
            .first(conn)
            .optional()
    }

    /// True when the session may still be used (the per-request check of access tokens).
    pub fn is_live(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
        Ok(Self::find_live(conn, id, now)?.is_some())
    }

    /// The account's live sessions, newest first.
    pub fn list_live(
        conn: &mut DbConnection,
        account_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Vec<Session>> {
        sessions::table
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .order(sessions::created_at.desc())
            .select(Session::as_select())
            .load(conn)
    }

    /// Revokes one session; false when it was already revoked or does not exist.
    pub fn revoke(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
        reason: &str,
    ) -> QueryResult<bool> {
        revoked();
        let updated = diesel::update(
            sessions::table
                .find(id)
                .filter(sessions::revoked_at.is_null()),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Revokes one of the account's sessions; false when it is not one of them or already revoked.
    pub fn revoke_owned(
        conn: &mut DbConnection,
        account_id: &str,
        id: &str,
        now: NaiveDateTime,
        reason: &str,
    ) -> QueryResult<bool> {
        revoked();
        let updated = diesel::update(
            sessions::table
                .find(id)
                .filter(sessions::account_id.eq(account_id))
                .filter(sessions::revoked_at.is_null()),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Revokes every live session of the account except `keep` (the caller's own, when it stays).
    pub fn revoke_all_for_account(
        conn: &mut DbConnection,
        account_id: &str,
        keep: Option<&str>,
        now: NaiveDateTime,
        reason: &str,
    ) -> QueryResult<usize> {
        revoked();
        let keep = keep.unwrap_or("");
        diesel::update(
            sessions::table
                .filter(sessions::account_id.eq(account_id))
                .filter(sessions::id.ne(keep))
                .filter(sessions::revoked_at.is_null()),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)
    }
}

fn issue_refresh(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = tokens::random_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(tokens::digest(&token)),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::issued_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}
