//! Per-identifier failure counters: after repeated failures a temporary lock that grows with
//! each new failure. Identifiers are tracked whether or not an account has them, so a lock says
//! nothing about existence.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{is_unique_violation, schema::login_throttles, DbConnection};

/// Failures allowed in a window before the first lock.
pub const FREE_FAILURES: i32 = 5;
/// The counting window.
pub const WINDOW: Duration = Duration::hours(1);
/// First lock; each further failure doubles it, up to [`MAX_LOCK`].
pub const FIRST_LOCK_SECS: i64 = 30;
/// Longest lock. With it, an identifier sees at most a few dozen attempts an hour, far under
/// NIST SP 800-63B's ceiling of 100.
pub const MAX_LOCK: Duration = Duration::minutes(15);

/// What the failure counters say of an identifier before a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Seconds until the identifier may be tried again, if it is locked now.
    pub locked_for: Option<i64>,
    /// Failures are recorded (so a success has something to forget).
    pub has_failures: bool,
}

/// The identifier's counters, read in one query.
pub fn throttle(
    conn: &mut DbConnection,
    identifier: &str,
    now: NaiveDateTime,
) -> QueryResult<Throttle> {
    let row = login_throttles::table
        .find(identifier)
        .select(login_throttles::locked_until)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?;
    Ok(Throttle {
        locked_for: row
            .flatten()
            .filter(|until| *until > now)
            .map(|until| (until - now).num_seconds().max(1)),
        has_failures: row.is_some(),
    })
}

/// Counts a failure; returns the lock duration in seconds when this failure starts one.
pub fn record_failure(
    conn: &mut DbConnection,
    identifier: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    super::session_write_transaction(conn, |conn| {
        let current = login_throttles::table
            .find(identifier)
            .select((login_throttles::failures, login_throttles::window_start))
            .first::<(i32, NaiveDateTime)>(conn)
            .optional()?;
        let failures = match current {
            Some((failures, window_start)) if now - window_start < WINDOW => failures + 1,
            Some(_) => 1,
            None => {
                let inserted = conn.transaction(|conn| {
                    diesel::insert_into(login_throttles::table)
                        .values((
                            login_throttles::identifier.eq(identifier),
                            login_throttles::failures.eq(1),
                            login_throttles::window_start.eq(now),
                        ))
                        .execute(conn)
                });
                match inserted {
                    Ok(_) => return Ok(None),
                    Err(e) if is_unique_violation(&e) => {
                        return record_failure(conn, identifier, now)
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let lock = lock_after(failures);
        let window_reset = current.is_some_and(|(_, start)| now - start >= WINDOW);
        let target = login_throttles::table.find(identifier);
        if window_reset {
            diesel::update(target)
                .set((
                    login_throttles::failures.eq(1),
                    login_throttles::window_start.eq(now),
                    login_throttles::locked_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
        } else {
            diesel::update(target)
                .set((
                    login_throttles::failures.eq(login_throttles::failures + 1),
                    login_throttles::locked_until.eq(lock.map(|d| now + d)),
                ))
                .execute(conn)?;
        }
        Ok(lock.map(|d| d.num_seconds()))
    })
}

/// A successful sign-in forgets the failures.
pub fn clear(conn: &mut DbConnection, identifier: &str) -> QueryResult<()> {
    diesel::delete(login_throttles::table.find(identifier))
        .execute(conn)
        .map(|_| ())
}

/// The lock that the `failures`-th failure of a window starts, if any.
pub fn lock_after(failures: i32) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = u32::try_from(failures - FREE_FAILURES).unwrap_or(0).min(10);
    let secs = FIRST_LOCK_SECS.saturating_mul(1_i64 << doublings);
    Some(Duration::seconds(secs).min(MAX_LOCK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_start_after_the_free_failures_and_grow_to_a_ceiling() {
        assert_eq!(lock_after(4), None);
        assert_eq!(lock_after(5), Some(Duration::seconds(30)));
        assert_eq!(lock_after(6), Some(Duration::seconds(60)));
        assert_eq!(lock_after(50), Some(MAX_LOCK));
    }
}
