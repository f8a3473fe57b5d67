//! Signexpert challenges: a nonce for a certificate's key to sign, usable once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::signexpert_challenges, DbConnection};

/// A challenge.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signexpert_challenges)]
pub struct SignexpertChallenge {
    pub id: String,
    /// 256 random bits, base64url.
    pub nonce: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    /// Set by the first attempt that presents it.
    pub used_at: Option<NaiveDateTime>,
}

impl SignexpertChallenge {
    /// Inserts a new challenge.
    pub fn insert(conn: &mut DbConnection, challenge: &SignexpertChallenge) -> QueryResult<()> {
        diesel::insert_into(signexpert_challenges::table)
            .values(challenge)
            .execute(conn)
            .map(|_| ())
    }

    /// Uses the challenge up and returns it, if it exists, is unexpired and was never presented.
    /// Of two simultaneous attempts with one challenge, only one gets it.
    pub fn claim(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Self>> {
        let claimed = diesel::update(
            signexpert_challenges::table
                .find(id)
                .filter(signexpert_challenges::used_at.is_null())
                .filter(signexpert_challenges::expires_at.gt(now)),
        )
        .set(signexpert_challenges::used_at.eq(now))
        .execute(conn)?;
        if claimed != 1 {
            return Ok(None);
        }
        signexpert_challenges::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Deletes challenges that expired before `before`.
    pub fn purge_expired(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(
            signexpert_challenges::table.filter(signexpert_challenges::expires_at.lt(before)),
        )
        .execute(conn)
    }
}
