//! The relying parties of the OpenID Connect provider, as registered by an operator.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::oauth_clients, DbConnection};

/// A registered client, as stored (lists joined; see [`OAuthClient::redirect_uris`] and friends).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = oauth_clients, treat_none_as_null = true)]
pub struct OAuthClient {
    pub client_id: String,
    /// What the user is told they sign in to ("Annuaire de l'Ordre").
    pub name: String,
    pub confidential: bool,
    /// SHA-256 (hex) of the secret of a confidential client.
    pub secret_hash: Option<String>,
    /// Exact redirect URIs, one per line.
    pub redirect_uris: String,
    /// Exact post-logout redirect URIs, one per line (may be empty).
    pub post_logout_redirect_uris: String,
    /// Scopes the client may ask for, space-separated.
    pub scopes: String,
    /// Where logout tokens are POSTed (OpenID Connect Back-Channel Logout 1.0), if anywhere.
    pub backchannel_logout_uri: Option<String>,
    /// `RS256` or `EdDSA`.
    pub id_token_alg: String,
    pub access_token_seconds: i32,
    pub refresh_token_seconds: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The items of a list stored one per line.
fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.is_empty()).collect()
}

impl OAuthClient {
    /// The exact redirect URIs.
    pub fn redirect_uris(&self) -> Vec<&str> {
        lines(&self.redirect_uris)
    }

    /// The exact post-logout redirect URIs.
    pub fn post_logout_redirect_uris(&self) -> Vec<&str> {
        lines(&self.post_logout_redirect_uris)
    }

    /// The scopes it may ask for.
    pub fn scopes(&self) -> Vec<&str> {
        self.scopes.split_whitespace().collect()
    }

    /// Stores a new client; fails with a unique violation when the id is taken.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(oauth_clients::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// One client by id.
    pub fn find(conn: &mut DbConnection, client_id: &str) -> QueryResult<Option<Self>> {
        oauth_clients::table
            .find(client_id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// One client, locked until the end of the transaction (a row lock on PostgreSQL; on SQLite
    /// the write transaction already holds the one write lock).
    pub fn find_for_update(conn: &mut DbConnection, client_id: &str) -> QueryResult<Option<Self>> {
        match conn {
            DbConnection::Pg(pg) => oauth_clients::table
                .find(client_id)
                .select(Self::as_select())
                .for_update()
                .first(pg)
                .optional(),
            DbConnection::Sqlite(_) => Self::find(conn, client_id),
        }
    }

    /// Every client, by id.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        oauth_clients::table
            .order(oauth_clients::client_id)
            .select(Self::as_select())
            .load(conn)
    }

    /// Replaces the stored client of the same id; `false` when there is none.
    pub fn update(&self, conn: &mut DbConnection) -> QueryResult<bool> {
        diesel::update(oauth_clients::table.find(&self.client_id))
            .set(self)
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Removes a client; `false` when there is none.
    pub fn remove(conn: &mut DbConnection, client_id: &str) -> QueryResult<bool> {
        diesel::delete(oauth_clients::table.find(client_id))
            .execute(conn)
            .map(|n| n == 1)
    }
}
