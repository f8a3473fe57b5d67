//! Fixed-window counters in the database, so a limit holds across every instance of the service.

use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;

use super::{is_unique_violation, schema::rate_limit_counters, DbConnection};

/// Counts one hit on `bucket` in the current window of `window_secs` seconds. Returns `Ok(hits)`
/// while within `limit`, or `Err(seconds until the window ends)` once over it.
pub fn hit(
    conn: &mut DbConnection,
    bucket: &str,
    window_secs: i64,
    limit: i32,
    now: NaiveDateTime,
) -> QueryResult<Result<i32, u64>> {
    let epoch = now.and_utc().timestamp();
    let start_secs = epoch - epoch.rem_euclid(window_secs);
    let window_start = DateTime::from_timestamp(start_secs, 0)
        .map(|d| d.naive_utc())
        .unwrap_or(now);
    let retry_after = u64::try_from(start_secs + window_secs - epoch)
        .unwrap_or(1)
        .max(1);

    let hits = super::session_write_transaction(conn, |conn| {
        let target = rate_limit_counters::table
            .filter(rate_limit_counters::bucket.eq(bucket))
            .filter(rate_limit_counters::window_start.eq(window_start));
        let updated = diesel::update(target)
            .set(rate_limit_counters::hits.eq(rate_limit_counters::hits + 1))
            .execute(conn)?;
        if updated == 0 {
            // First hit of the window: the previous windows of this bucket are no longer needed.
            diesel::delete(
                rate_limit_counters::table
                    .filter(rate_limit_counters::bucket.eq(bucket))
                    .filter(rate_limit_counters::window_start.lt(window_start)),
            )
            .execute(conn)?;
            // In a savepoint: on PostgreSQL a failed statement would otherwise abort the transaction.
            let inserted = conn.transaction(|conn| {
                diesel::insert_into(rate_limit_counters::table)
                    .values((
                        rate_limit_counters::bucket.eq(bucket),
                        rate_limit_counters::window_start.eq(window_start),
                        rate_limit_counters::hits.eq(1),
                    ))
                    .execute(conn)
            });
            match inserted {
                Ok(_) => return Ok(1),
                // Another instance inserted the window's row between our update and insert.
                Err(e) if is_unique_violation(&e) => {
                    diesel::update(target)
                        .set(rate_limit_counters::hits.eq(rate_limit_counters::hits + 1))
                        .execute(conn)?;
                }
                Err(e) => return Err(e),
            }
        }
        target.select(rate_limit_counters::hits).first::<i32>(conn)
    })?;
    Ok(if hits > limit {
        Err(retry_after)
    } else {
        Ok(hits)
    })
}
