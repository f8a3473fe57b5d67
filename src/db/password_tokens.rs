//! One-time links that initialise or reset a password. Only a SHA-256 of the token is stored.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{
    accounts::Account,
    schema::{accounts, password_tokens},
    DbConnection,
};
use crate::domain::tokens;

/// Why a link was sent.
pub mod purpose {
    /// First password of a new account (72 h).
    pub const ACTIVATION: &str = "activation";
    /// Lost password (1 h).
    pub const RESET: &str = "reset";
}

/// A stored link.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_tokens)]
pub struct PasswordToken {
    pub id: String,
    pub account_id: String,
    pub token_hash: String,
    pub purpose: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

impl PasswordToken {
    /// Creates a link for `account_id` and returns the token to put in the email (never stored).
    pub fn issue(
        conn: &mut DbConnection,
        account_id: &str,
        purpose: &str,
        lifetime: Duration,
        now: NaiveDateTime,
    ) -> QueryResult<String> {
        let token = tokens::random_token();
        let row = PasswordToken {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: account_id.to_owned(),
            token_hash: tokens::digest(&token),
            purpose: purpose.to_owned(),
            created_at: now,
            expires_at: now + lifetime,
            used_at: None,
        };
        diesel::insert_into(password_tokens::table)
            .values(&row)
            .execute(conn)?;
        Ok(token)
    }

    /// The unused, unexpired link for `token`, with its account. Reading does not spend it
    /// (mail scanners open links before people do).
    pub fn find_valid(
        conn: &mut DbConnection,
        token: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<(PasswordToken, Account)>> {
        password_tokens::table
            .inner_join(accounts::table)
            .filter(password_tokens::token_hash.eq(tokens::digest(token)))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(now))
            .select((PasswordToken::as_select(), Account::as_select()))
            .first(conn)
            .optional()
    }

    /// Spends the link; false when another request spent it first (single use under concurrency).
    pub fn consume(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
        let updated = diesel::update(
            password_tokens::table
                .filter(password_tokens::id.eq(id))
                .filter(password_tokens::used_at.is_null()),
        )
        .set(password_tokens::used_at.eq(now))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Spends every other open link of the account (a new password makes them pointless).
    pub fn consume_all_for_account(
        conn: &mut DbConnection,
        account_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            password_tokens::table
                .filter(password_tokens::account_id.eq(account_id))
                .filter(password_tokens::used_at.is_null()),
        )
        .set(password_tokens::used_at.eq(now))
        .execute(conn)
    }
}
