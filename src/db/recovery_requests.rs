//! Password-recovery requests acknowledged and not yet carried out (see the migration
//! `recovery_requests`): written before the answer, deleted by the transaction that carries them
//! out.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::recovery_requests, DbConnection};

/// One acknowledged request.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = recovery_requests)]
pub struct RecoveryRequest {
    pub id: String,
    /// The address as checked (lower-cased).
    pub email: String,
    pub requested_at: NaiveDateTime,
}

impl RecoveryRequest {
    /// Records the request for `email`.
    pub fn insert(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> QueryResult<Self> {
        let request = Self {
            id: super::new_id(),
            email: email.to_owned(),
            requested_at: now,
        };
        diesel::insert_into(recovery_requests::table)
            .values(&request)
            .execute(conn)?;
        Ok(request)
    }

    /// The requests still to carry out, oldest first.
    pub fn pending(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Self>> {
        recovery_requests::table
            .order((recovery_requests::requested_at, recovery_requests::id))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Takes the request `id` out of the queue; false when another worker took it first. Called
    /// first in the transaction that carries the request out: on PostgreSQL the row's lock makes
    /// a concurrent worker wait, then find nothing.
    pub fn take(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
        diesel::delete(recovery_requests::table.find(id))
            .execute(conn)
            .map(|deleted| deleted == 1)
    }
}
