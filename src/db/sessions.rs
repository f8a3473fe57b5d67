//! Sessions and their rotating refresh tokens.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::accounts::Account;
use super::versions::Touched;
use super::{
    schema::{refresh_tokens, sessions},
    security_events::{NewEvent, SecurityEvent},
    DbConnection,
};
use crate::config::SessionLifetimes;
use crate::domain::states::SecurityEventKind;
use crate::domain::tokens;

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

/// How long a session's refresh token lives: each refresh pushes the session's expiry back by
/// this much, up to its absolute cap ([`expiry`]).
pub fn refresh_lifetime(keep_active: bool) -> Duration {
    if keep_active {
        Duration::days(30)
    } else {
        Duration::hours(12)
    }
}

/// When a session opened at `created_at` expires if refreshed at `now`: a sliding lifetime
/// from now, never past the absolute cap of its kind.
pub fn expiry(
    lifetimes: &SessionLifetimes,
    keep_active: bool,
    created_at: NaiveDateTime,
    now: NaiveDateTime,
) -> NaiveDateTime {
    (now + refresh_lifetime(keep_active)).min(created_at + lifetimes.max(keep_active))
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

/// The result of a refresh: [`Rotation`] with the account that signs the new access token.
pub enum Refresh {
    /// A new refresh token for the session, and the session's account.
    Rotated {
        /// The session's account (the access token's subject).
        account: Box<Account>,
        /// The session, its lifetime extended.
        session: Session,
        /// The new refresh token (its digest is stored).
        refresh_token: String,
    },
    /// Unknown token, expired or revoked session, or a concurrent duplicate: refused quietly.
    Refused,
    /// A token rotated earlier was presented again: the session is now revoked and the reuse
    /// recorded in its account's security history.
    Reused {
        /// The session just revoked.
        session: Session,
    },
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
    /// Opens a session with its first refresh token and records the sign-in (`event_kind`, by the
    /// session's method) in the account's security history, all or nothing. On PostgreSQL the three
    /// rows go in one statement, one round trip instead of five (sign-ins share the cores with
    /// Argon2: every statement saved is hashing time).
    pub fn open(
        conn: &mut DbConnection,
        new: NewSession<'_>,
        event_kind: SecurityEventKind,
        now: NaiveDateTime,
        lifetimes: &SessionLifetimes,
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
            expires_at: expiry(lifetimes, new.keep_active, now, now),
            revoked_at: None,
            revoked_reason: None,
        };
        let token = tokens::random_token();
        let event = NewEvent {
            account_id: &session.account_id,
            kind: event_kind,
            method: Some(&session.amr),
            client_address: session.client_address.as_deref(),
            session_id: Some(&session.id),
        };
        if let DbConnection::Pg(pg) = conn {
            OpenSession {
                event: SecurityEvent::new(event, now),
                token_hash: tokens::digest(&token),
                session: session.clone(),
            }
            .execute(pg)?;
            return Ok((session, token));
        }
        super::session_write_transaction(conn, |conn| {
            diesel::insert_into(sessions::table)
                .values(&session)
                .execute(conn)?;
            insert_refresh(conn, &session.id, &tokens::digest(&token), now)?;
            SecurityEvent::record(conn, event, now)
        })?;
        Ok((session, token))
    }

    /// Exchanges a presented refresh token (well formed) for a new one: the one operation behind
    /// `POST /sessions/refresh`, whatever the backend. On PostgreSQL the account is read first,
    /// then the usual exchange is one prepared statement ([`Session::rotate_at_once`]); if either
    /// finds nothing, nothing was written, and every other case goes through the transaction of
    /// [`Session::rotate`], which tells them apart and, for a reused token, revokes the session
    /// and records the reuse with it.
    pub fn refresh(
        conn: &mut DbConnection,
        presented: &str,
        now: NaiveDateTime,
        lifetimes: &SessionLifetimes,
    ) -> QueryResult<Refresh> {
        if matches!(conn, DbConnection::Pg(_)) {
            let hash = tokens::digest(presented);
            if let Some(account) = Account::find_by_refresh_token(conn, &hash)? {
                if let Some((session, refresh_token)) =
                    Self::rotate_at_once(conn, &hash, now, lifetimes)?
                {
                    return Ok(Refresh::Rotated {
                        account: Box::new(account),
                        session,
                        refresh_token,
                    });
                }
            }
        }
        super::scoped_write_transaction(conn, |conn, touched| {
            Ok(
                match Self::rotate(conn, touched, presented, now, lifetimes)? {
                    Rotation::Rotated {
                        session,
                        refresh_token,
                    } => {
                        let account = Account::find(conn, &session.account_id)?
                            .ok_or(diesel::result::Error::NotFound)?;
                        Refresh::Rotated {
                            account: Box::new(account),
                            session,
                            refresh_token,
                        }
                    }
                    Rotation::Reused { session } => {
                        SecurityEvent::record(
                            conn,
                            NewEvent {
                                account_id: &session.account_id,
                                kind: SecurityEventKind::RefreshTokenReused,
                                method: None,
                                client_address: None,
                                session_id: Some(&session.id),
                            },
                            now,
                        )?;
                        Refresh::Reused { session }
                    }
                    Rotation::Refused => Refresh::Refused,
                },
            )
        })
    }

    /// PostgreSQL only: the usual exchange (a live token of a live session) as one call of a
    /// PL/pgSQL function whose plans each connection keeps: one round trip instead of the seven of
    /// [`Session::rotate`] in its transaction, and no parsing or planning per refresh (refresh on
    /// PostgreSQL was bound by both). `None` when it did not rotate (SQLite, or an unknown, used,
    /// expired or revoked token, or a concurrent exchange that won): the caller then runs
    /// [`Session::rotate`], which tells these cases apart. Of two concurrent exchanges, the second
    /// waits on the first's row lock, then finds `rotated_at` set and updates nothing.
    fn rotate_at_once(
        conn: &mut DbConnection,
        presented_hash: &str,
        now: NaiveDateTime,
        lifetimes: &SessionLifetimes,
    ) -> QueryResult<Option<(Session, String)>> {
        let DbConnection::Pg(pg) = conn else {
            return Ok(None);
        };
        let token = tokens::random_token();
        let rotated = RotateRefreshToken {
            presented_hash: presented_hash.to_owned(),
            moment: now,
            kept_until: now + refresh_lifetime(true),
            short_until: now + refresh_lifetime(false),
            kept_cap_seconds: lifetimes.max(true).num_seconds(),
            short_cap_seconds: lifetimes.max(false).num_seconds(),
            new_hash: tokens::digest(&token),
        }
        .get_result::<Session>(pg)
        .optional()?;
        Ok(rotated.map(|session| (session, token)))
    }

    /// Exchanges a refresh token for a new one (rotation). Run inside a transaction.
    fn rotate(
        conn: &mut DbConnection,
        touched: &mut Touched,
        presented: &str,
        now: NaiveDateTime,
        lifetimes: &SessionLifetimes,
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
        // A session at its absolute end is over even when its sliding expiry is not yet (a cap
        // lowered in the settings, or a rotation by an instance of the previous release).
        let expires_at = expiry(lifetimes, session.keep_active, session.created_at, now);
        if session.revoked_at.is_some() || session.expires_at <= now || expires_at <= now {
            return Ok(Rotation::Refused);
        }
        if let Some(rotated_at) = rotated_at {
            if now - rotated_at <= Duration::seconds(CONCURRENT_REFRESH_GRACE_SECS) {
                return Ok(Rotation::Refused);
            }
            Self::revoke(
                conn,
                touched,
                &session.account_id,
                &session.id,
                now,
                "refresh_token_reuse",
            )?;
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

    /// The live session that issued this refresh token (its latest or an earlier one), if any.
    pub fn find_live_by_refresh_token(
        conn: &mut DbConnection,
        presented: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Session>> {
        refresh_tokens::table
            .inner_join(sessions::table)
            .filter(refresh_tokens::token_hash.eq(tokens::digest(presented)))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .select(Session::as_select())
            .first(conn)
            .optional()
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

    /// True when the session may still be used by `account_id` (the per-request check of access
    /// tokens: a token naming a live session of another account is refused, not trusted for `sub`).
    pub fn is_live(
        conn: &mut DbConnection,
        id: &str,
        account_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        Ok(Self::find_live(conn, id, now)?.is_some_and(|session| session.account_id == account_id))
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

    /// Revokes the session `id` of `account_id`; false when it is not one of the account's, does
    /// not exist or is already revoked. `touched` carries the revocation to this process's caches
    /// of live sessions once the transaction commits (see [`crate::auth::access_cache`]).
    pub fn revoke(
        conn: &mut DbConnection,
        touched: &mut Touched,
        account_id: &str,
        id: &str,
        now: NaiveDateTime,
        reason: &str,
    ) -> QueryResult<bool> {
        touched.sessions(account_id);
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
        if updated != 1 {
            return Ok(false);
        }
        // The relying parties and CAS services signed in through this session end with it, in
        // this transaction.
        super::oidc::sessions_ended(conn, &[id.to_owned()], reason, now)?;
        super::cas::sessions_ended(conn, &[id.to_owned()], now)?;
        Ok(true)
    }

    /// Signs the session `id` of `account_id` out (a revocation recorded as `sign_out` in the
    /// account's security history); false when it was not live.
    #[allow(clippy::too_many_arguments)]
    pub fn sign_out(
        conn: &mut DbConnection,
        touched: &mut Touched,
        account_id: &str,
        id: &str,
        method: &str,
        client_address: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        if !Self::revoke(conn, touched, account_id, id, now, "sign_out")? {
            return Ok(false);
        }
        SecurityEvent::record(
            conn,
            NewEvent {
                account_id,
                kind: SecurityEventKind::SignOut,
                method: Some(method),
                client_address: Some(client_address),
                session_id: Some(id),
            },
            now,
        )?;
        Ok(true)
    }

    /// Revokes every live session of the account except `keep` (the caller's own, when it stays).
    pub fn revoke_all_for_account(
        conn: &mut DbConnection,
        touched: &mut Touched,
        account_id: &str,
        keep: Option<&str>,
        now: NaiveDateTime,
        reason: &str,
    ) -> QueryResult<usize> {
        touched.sessions(account_id);
        let keep = keep.unwrap_or("");
        let ending: Vec<String> = sessions::table
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::id.ne(keep))
            .filter(sessions::revoked_at.is_null())
            .select(sessions::id)
            .load(conn)?;
        let revoked = diesel::update(sessions::table.filter(sessions::id.eq_any(&ending)))
            .filter(sessions::revoked_at.is_null())
            .set((
                sessions::revoked_at.eq(now),
                sessions::revoked_reason.eq(reason),
            ))
            .execute(conn)?;
        super::oidc::sessions_ended(conn, &ending, reason, now)?;
        super::cas::sessions_ended(conn, &ending, now)?;
        Ok(revoked)
    }
}

/// Pushes bind parameters separated by commas: `push_binds!(out; Text => &value, …)`.
macro_rules! push_binds {
    ($out:ident; $first_type:ty => $first:expr $(, $type:ty => $value:expr)* $(,)?) => {
        $out.push_bind_param::<$first_type, _>($first)?;
        $(
            $out.push_sql(", ");
            $out.push_bind_param::<$type, _>($value)?;
        )*
    };
}

/// `SELECT … FROM rotate_refresh_token(…)` (see migrations/postgres/…_refresh_rotation) as a
/// statement diesel prepares once per connection and keeps, like its own typed queries: as
/// `sql_query` it was parsed and planned again at every refresh (diesel never keeps those).
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
struct RotateRefreshToken {
    presented_hash: String,
    moment: NaiveDateTime,
    kept_until: NaiveDateTime,
    short_until: NaiveDateTime,
    kept_cap_seconds: i64,
    short_cap_seconds: i64,
    new_hash: String,
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for RotateRefreshToken {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Text, Timestamp};
        // Columns named, not `*`: a prepared statement kept by a connection fails once the shape
        // of its result changes, and a later migration adding a column to `sessions` would change
        // `*` under the instances still running.
        out.push_sql(
            "SELECT id, account_id, amr, keep_active, client_address, user_agent, created_at, \
             last_used_at, expires_at, revoked_at, revoked_reason FROM rotate_refresh_token(",
        );
        push_binds!(out;
            Text => &self.presented_hash,
            Timestamp => &self.moment,
            Timestamp => &self.kept_until,
            Timestamp => &self.short_until,
            BigInt => &self.kept_cap_seconds,
            BigInt => &self.short_cap_seconds,
            Text => &self.new_hash);
        out.push_sql(")");
        Ok(())
    }
}

impl diesel::query_builder::Query for RotateRefreshToken {
    // Rows are read by column name (`QueryableByName`), as with `sql_query`.
    type SqlType = diesel::sql_types::Untyped;
}

impl RunQueryDsl<diesel::PgConnection> for RotateRefreshToken {}

fn issue_refresh(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = tokens::random_token();
    insert_refresh(conn, session_id, &tokens::digest(&token), now)?;
    Ok(token)
}

fn insert_refresh(
    conn: &mut DbConnection,
    session_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::issued_at.eq(now),
        ))
        .execute(conn)
}

/// PostgreSQL: a new session, its first refresh token and the sign-in event as one statement
/// (data-modifying `WITH`: one statement is one transaction, and the foreign keys are checked at
/// its end, once all three rows exist). Prepared once per connection, like diesel's own queries.
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
struct OpenSession {
    session: Session,
    token_hash: String,
    event: SecurityEvent,
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for OpenSession {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Bool, Nullable, Text, Timestamp};
        let (s, e) = (&self.session, &self.event);
        out.push_sql(
            "WITH s AS (INSERT INTO sessions (id, account_id, amr, keep_active, client_address, \
             user_agent, created_at, last_used_at, expires_at) VALUES (",
        );
        push_binds!(out;
            Text => &s.id,
            Text => &s.account_id,
            Text => &s.amr,
            Bool => &s.keep_active,
            Nullable<Text> => &s.client_address,
            Nullable<Text> => &s.user_agent,
            Timestamp => &s.created_at,
            Timestamp => &s.last_used_at,
            Timestamp => &s.expires_at);
        out.push_sql(
            ")), t AS (INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (",
        );
        push_binds!(out;
            Text => &self.token_hash,
            Text => &s.id,
            Timestamp => &s.created_at);
        out.push_sql(
            ")) INSERT INTO security_events (id, account_id, kind, method, client_address, \
             session_id, created_at) VALUES (",
        );
        push_binds!(out;
            Text => &e.id,
            Text => &e.account_id,
            Text => &e.kind,
            Nullable<Text> => &e.method,
            Nullable<Text> => &e.client_address,
            Nullable<Text> => &e.session_id,
            Timestamp => &e.created_at);
        out.push_sql(")");
        Ok(())
    }
}

impl RunQueryDsl<diesel::PgConnection> for OpenSession {}
