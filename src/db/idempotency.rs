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
    /// Until when the request that holds the key is taken for alive; `None` once answered (and
    /// for reservations made before leases existed, which count as expired).
    pub locked_until: Option<NaiveDateTime>,
}

/// What a new request with a key should do.
pub enum Reservation {
    /// First time: run the operation, then [`complete`] or [`release`].
    Reserved,
    /// The request that held the key stopped answering past its lease (a process killed between
    /// the reservation and the answer): this one holds it now and runs the operation, which
    /// completes or replays what the first did.
    TakenOver,
    /// Seen before: here is the record.
    Existing(IdempotencyRecord),
}

/// Reserves `key` for this request for `lease`, or takes over a reservation of the same request
/// whose lease has run out, or returns the record of an earlier one.
pub fn reserve(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
    lease: chrono::Duration,
) -> QueryResult<Reservation> {
    let record = IdempotencyRecord {
        scope: scope.to_owned(),
        idempotency_key: key.to_owned(),
        request_hash: request_hash.to_owned(),
        status: IN_PROGRESS,
        body: String::new(),
        created_at: now,
        locked_until: Some(now + lease),
    };
    // A savepoint: on PostgreSQL the refused insert would abort the caller's transaction.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(idempotency_records::table)
            .values(&record)
            .execute(conn)
    });
    match inserted {
        Ok(_) => return Ok(Reservation::Reserved),
        Err(e) if is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    // One statement decides who takes an expired reservation over, whoever else tries at once.
    let taken = diesel::update(
        idempotency_records::table
            .find((scope, key))
            .filter(idempotency_records::status.eq(IN_PROGRESS))
            .filter(idempotency_records::request_hash.eq(request_hash))
            .filter(
                idempotency_records::locked_until
                    .is_null()
                    .or(idempotency_records::locked_until.le(now)),
            ),
    )
    .set(idempotency_records::locked_until.eq(now + lease))
    .execute(conn)?;
    if taken == 1 {
        return Ok(Reservation::TakenOver);
    }
    let existing = idempotency_records::table
        .find((scope, key))
        .select(IdempotencyRecord::as_select())
        .first(conn)?;
    Ok(Reservation::Existing(existing))
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
            idempotency_records::locked_until.eq(None::<NaiveDateTime>),
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
