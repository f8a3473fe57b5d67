//! Remembered answers to retried writes (`Idempotency-Key`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{is_unique_violation, schema::idempotency_records, DbConnection};

/// Status stored while the first request with a key is still running.
pub const IN_PROGRESS: i32 = 0;

/// A remembered answer.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_records)]
pub struct IdempotencyRecord {
    /// The operation (`POST /v1/accounts`…), so one key cannot replay another operation's answer.
    pub scope: String,
    pub idempotency_key: String,
    /// SHA-256 of the request body: the same key with another body is a client bug.
    pub request_hash: String,
    /// HTTP status of the answer, or [`IN_PROGRESS`].
    pub status: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// What a new request with a key should do.
pub enum Reservation {
    /// First time: run the operation, then [`complete`] or [`release`].
    Reserved,
    /// Seen before: here is the record.
    Existing(IdempotencyRecord),
}

/// Reserves `key` for this request, or returns the record of an earlier one.
pub fn reserve(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Reservation> {
    let record = IdempotencyRecord {
        scope: scope.to_owned(),
        idempotency_key: key.to_owned(),
        request_hash: request_hash.to_owned(),
        status: IN_PROGRESS,
        body: String::new(),
        created_at: now,
    };
    match diesel::insert_into(idempotency_records::table)
        .values(&record)
        .execute(conn)
    {
        Ok(_) => Ok(Reservation::Reserved),
        Err(e) if is_unique_violation(&e) => {
            let existing = idempotency_records::table
                .find((scope, key))
                .select(IdempotencyRecord::as_select())
                .first(conn)?;
            Ok(Reservation::Existing(existing))
        }
        Err(e) => Err(e),
    }
}

/// Stores the answer to replay.
pub fn complete(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    status: i32,
    body: &str,
) -> QueryResult<()> {
    diesel::update(idempotency_records::table.find((scope, key)))
        .set((
            idempotency_records::status.eq(status),
            idempotency_records::body.eq(body),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Forgets a reservation whose operation failed, so the client may retry with the same key.
pub fn release(conn: &mut DbConnection, scope: &str, key: &str) -> QueryResult<()> {
    diesel::delete(
        idempotency_records::table
            .find((scope, key))
            .filter(idempotency_records::status.eq(IN_PROGRESS)),
    )
    .execute(conn)
    .map(|_| ())
}
