//! Pending email changes: the new address is applied only once its owner opens the link sent there.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{schema::email_verifications, DbConnection};
use crate::domain::tokens;

/// Lifetime of a verification link, in hours.
pub const VERIFICATION_HOURS: u32 = 24;

/// A pending change.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_verifications)]
pub struct EmailVerification {
    pub id: String,
    pub account_id: String,
    pub token_hash: String,
    pub new_email: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

impl EmailVerification {
    /// Records a pending change (replacing earlier pending ones) and returns the token for the link.
    pub fn issue(
        conn: &mut DbConnection,
        account_id: &str,
        new_email: &str,
        now: NaiveDateTime,
    ) -> QueryResult<String> {
        diesel::update(
            email_verifications::table
                .filter(email_verifications::account_id.eq(account_id))
                .filter(email_verifications::used_at.is_null()),
        )
        .set(email_verifications::used_at.eq(now))
        .execute(conn)?;
        let token = tokens::random_token();
        let row = EmailVerification {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: account_id.to_owned(),
            token_hash: tokens::digest(&token),
            new_email: new_email.to_owned(),
            created_at: now,
            expires_at: now + Duration::hours(VERIFICATION_HOURS.into()),
            used_at: None,
        };
        diesel::insert_into(email_verifications::table)
            .values(&row)
            .execute(conn)?;
        Ok(token)
    }

    /// Spends a valid token and returns its pending change; `None` when unknown, used or expired.
    pub fn consume(
        conn: &mut DbConnection,
        token: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<EmailVerification>> {
        let found = email_verifications::table
            .filter(email_verifications::token_hash.eq(tokens::digest(token)))
            .filter(email_verifications::used_at.is_null())
            .filter(email_verifications::expires_at.gt(now))
            .select(EmailVerification::as_select())
            .first(conn)
            .optional()?;
        let Some(found) = found else { return Ok(None) };
        let spent = diesel::update(
            email_verifications::table
                .find(&found.id)
                .filter(email_verifications::used_at.is_null()),
        )
        .set(email_verifications::used_at.eq(now))
        .execute(conn)?;
        Ok((spent == 1).then_some(found))
    }
}
