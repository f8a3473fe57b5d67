//! Authorization codes of the OpenID Connect provider: issued to a relying party's redirect URI,
//! exchanged once at the token endpoint (see the migration `…_authorization_codes`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::authorization_codes, DbConnection};
use crate::{domain::tokens, oidc::pkce};

/// How long a code may wait for its exchange (RFC 6749 §4.1.2 recommends ten minutes at most;
/// a relying party exchanges it within a second).
pub const LIFETIME: chrono::Duration = chrono::Duration::seconds(60);

/// A code, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = authorization_codes)]
pub struct AuthorizationCode {
    pub code_hash: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub account_id: String,
    pub session_id: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub grant_id: Option<String>,
}

/// What a code is issued for.
#[derive(Debug, Clone)]
pub struct Granted {
    pub client_id: String,
    pub redirect_uri: String,
    pub account_id: String,
    pub session_id: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
}

/// What the exchange presents besides the code.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    /// The authenticated client (or the `client_id` of a public one).
    pub client_id: &'a str,
    /// The `redirect_uri` of the token request: the authorization request's, exactly (§4.1.3).
    pub redirect_uri: &'a str,
    /// The PKCE `code_verifier`, if any.
    pub code_verifier: Option<&'a str>,
}

/// Why a code does not exchange. Every case is `invalid_grant` on the wire (§5.2); the caller
/// revokes `Replayed`'s grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such code, or it has expired.
    Unknown,
    /// Issued to another client, for another redirect URI, or the verifier does not answer the
    /// challenge (or is missing while one was given, or given while none was).
    Mismatch,
    /// Already exchanged: the grant the first exchange was given, to revoke with what it issued.
    Replayed { grant_id: String },
}

impl AuthorizationCode {
    /// Stores a new code; returns it (only its digest is kept).
    pub fn issue(
        conn: &mut DbConnection,
        granted: Granted,
        now: NaiveDateTime,
    ) -> QueryResult<String> {
        let code = tokens::random_token();
        let row = Self {
            code_hash: tokens::digest(&code),
            client_id: granted.client_id,
            redirect_uri: granted.redirect_uri,
            account_id: granted.account_id,
            session_id: granted.session_id,
            scope: granted.scope,
            nonce: granted.nonce,
            code_challenge: granted.code_challenge,
            created_at: now,
            expires_at: now + LIFETIME,
            used_at: None,
            grant_id: None,
        };
        diesel::insert_into(authorization_codes::table)
            .values(&row)
            .execute(conn)?;
        Ok(code)
    }

    /// Exchanges `code` once: the code's row when everything matches, marked used and given a
    /// new `grant_id`, the id under which the caller issues the tokens. Of two exchanges at once,
    /// one wins (one conditional update sets both); the other is a replay and learns the grant.
    pub fn redeem(
        conn: &mut DbConnection,
        code: &str,
        presented: Presented<'_>,
        now: NaiveDateTime,
    ) -> QueryResult<Result<Self, Refusal>> {
        if !tokens::is_well_formed(code) {
            return Ok(Err(Refusal::Unknown));
        }
        let hash = tokens::digest(code);
        let Some(stored) = authorization_codes::table
            .find(&hash)
            .select(Self::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(Err(Refusal::Unknown));
        };
        if let (Some(_), Some(grant_id)) = (stored.used_at, stored.grant_id.clone()) {
            return Ok(Err(Refusal::Replayed { grant_id }));
        }
        if stored.expires_at <= now {
            return Ok(Err(Refusal::Unknown));
        }
        let proof_holds = match (&stored.code_challenge, presented.code_verifier) {
            (Some(challenge), Some(verifier)) => pkce::verifies(verifier, challenge),
            (None, None) => true,
            _ => false,
        };
        if stored.client_id != presented.client_id
            || stored.redirect_uri != presented.redirect_uri
            || !proof_holds
        {
            return Ok(Err(Refusal::Mismatch));
        }
        let grant_id = uuid::Uuid::now_v7().to_string();
        let taken = diesel::update(authorization_codes::table.find(&hash))
            .filter(authorization_codes::used_at.is_null())
            .set((
                authorization_codes::used_at.eq(now),
                authorization_codes::grant_id.eq(&grant_id),
            ))
            .execute(conn)?;
        if taken != 1 {
            // Another exchange won between our read and our update: this one is its replay.
            let winner: Option<String> = authorization_codes::table
                .find(&hash)
                .select(authorization_codes::grant_id)
                .first(conn)?;
            return Ok(Err(Refusal::Replayed {
                grant_id: winner.unwrap_or_default(),
            }));
        }
        Ok(Ok(Self {
            used_at: Some(now),
            grant_id: Some(grant_id),
            ..stored
        }))
    }
}
