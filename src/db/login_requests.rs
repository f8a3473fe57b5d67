//! Login requests of the OpenID Connect provider and the CAS server: what a relying party or a
//! CAS service asked for, between its request and the browser's return (see the migrations
//! `…_login_requests` and `…_cas_services`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::login_requests, DbConnection};
use crate::domain::{states::LoginRequestStatus, tokens};

/// How long the user has to sign in at the front end before the request expires.
pub const LIFETIME: chrono::Duration = chrono::Duration::minutes(10);

/// A login request, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_requests)]
pub struct LoginRequest {
    pub id: String,
    /// The OpenID Connect client that asked, or
    pub client_id: Option<String>,
    /// the CAS service that asked (its `redirect_uri` is then the service URL).
    pub cas_service_id: Option<String>,
    pub redirect_uri: String,
    /// Space-separated, as asked (and allowed for the client).
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<i32>,
    pub status: LoginRequestStatus,
    pub account_id: Option<String>,
    pub session_id: Option<String>,
    pub continuation_hash: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

/// What a relying party asked for.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    pub client_id: Option<String>,
    pub cas_service_id: Option<String>,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<i32>,
}

impl LoginRequest {
    /// Stores a new pending request, with an unguessable id.
    pub fn create(conn: &mut DbConnection, asked: Asked, now: NaiveDateTime) -> QueryResult<Self> {
        let request = Self {
            id: tokens::random_token(),
            client_id: asked.client_id,
            cas_service_id: asked.cas_service_id,
            redirect_uri: asked.redirect_uri,
            scope: asked.scope,
            state: asked.state,
            nonce: asked.nonce,
            code_challenge: asked.code_challenge,
            prompt: asked.prompt,
            max_age: asked.max_age,
            status: LoginRequestStatus::Pending,
            account_id: None,
            session_id: None,
            continuation_hash: None,
            created_at: now,
            expires_at: now + LIFETIME,
            decided_at: None,
        };
        diesel::insert_into(login_requests::table)
            .values(&request)
            .execute(conn)?;
        Ok(request)
    }

    /// A request that has not expired at `now`, whatever its status.
    pub fn find_unexpired(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Self>> {
        login_requests::table
            .find(id)
            .filter(login_requests::expires_at.gt(now))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Records the acceptance of a pending request by `account_id` signed in with `session_id`,
    /// and the digest of the continuation that only the acceptor holds. `false` when the request
    /// was no longer pending (accepted or rejected meanwhile) or has expired.
    pub fn accept(
        conn: &mut DbConnection,
        id: &str,
        account_id: &str,
        session_id: &str,
        continuation: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::update(login_requests::table.find(id))
            .filter(login_requests::status.eq(LoginRequestStatus::Pending))
            .filter(login_requests::expires_at.gt(now))
            .set((
                login_requests::status.eq(LoginRequestStatus::Accepted),
                login_requests::account_id.eq(account_id),
                login_requests::session_id.eq(session_id),
                login_requests::continuation_hash.eq(tokens::digest(continuation)),
                login_requests::decided_at.eq(now),
            ))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Records a refusal of a pending request. `false` when it was no longer pending.
    pub fn reject(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
        diesel::update(login_requests::table.find(id))
            .filter(login_requests::status.eq(LoginRequestStatus::Pending))
            .filter(login_requests::expires_at.gt(now))
            .set((
                login_requests::status.eq(LoginRequestStatus::Rejected),
                login_requests::decided_at.eq(now),
            ))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Takes an accepted request whose continuation is `continuation`, once: the browser's
    /// return. `None` for a wrong continuation, a request not accepted, expired, or already
    /// completed (a replayed return).
    pub fn complete(
        conn: &mut DbConnection,
        id: &str,
        continuation: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Self>> {
        let completed = diesel::update(login_requests::table.find(id))
            .filter(login_requests::status.eq(LoginRequestStatus::Accepted))
            .filter(login_requests::expires_at.gt(now))
            .filter(login_requests::continuation_hash.eq(tokens::digest(continuation)))
            .set(login_requests::status.eq(LoginRequestStatus::Completed))
            .execute(conn)?;
        if completed != 1 {
            return Ok(None);
        }
        login_requests::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }
}
