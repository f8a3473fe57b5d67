//! The maintenance task: deletes what each table no longer needs ([`retention::purge`], periods
//! in the README's retention table). Every instance tries at each `MAINTENANCE_INTERVAL_MINUTES`;
//! the one that takes the lease runs it, the others skip their turn, so that several instances
//! on one database do not all scan the same tables.

use std::time::Duration as StdDuration;

use crate::{
    context::ApiContext,
    db::retention::{self, Lease, Purged, Retention},
    error::ApiError,
};

/// The lease's name in `leases`.
pub const LEASE: &str = "maintenance";

/// How long after an instance starts its first attempt comes: the start itself (migrations, the
/// first requests) goes first.
const FIRST_ATTEMPT_AFTER: StdDuration = StdDuration::from_secs(60);

/// Runs the task now, whether or not another instance holds the lease (an operator's
/// `comptexpert maintenance`): deleting is idempotent, so an overlap costs time, not data.
pub async fn run_now(ctx: &ApiContext) -> Result<Purged, ApiError> {
    let now = ctx.clock.now();
    let purged = ctx
        .db
        .run(move |conn| Ok(retention::purge(conn, now, &Retention::DEFAULT)?))
        .await?;
    tracing::info!(deleted = purged.total(), %purged, "maintenance done");
    Ok(purged)
}

/// Runs the task if `holder` takes the lease for `period`; `None` when another instance holds it.
pub async fn run_if_leased(
    ctx: &ApiContext,
    holder: &str,
    period: StdDuration,
) -> Result<Option<Purged>, ApiError> {
    let now = ctx.clock.now();
    let holder = holder.to_owned();
    let duration = chrono::Duration::from_std(period).unwrap_or(chrono::Duration::hours(1));
    let taken = ctx
        .db
        .run(move |conn| Ok(Lease::take(conn, LEASE, &holder, now, duration)?))
        .await?;
    if !taken {
        tracing::debug!("maintenance: another instance holds the lease");
        return Ok(None);
    }
    run_now(ctx).await.map(Some)
}

/// Starts this instance's attempts, one per `maintenance_interval`, under a holder name of its
/// own. The lease lasts one interval, so an instance that stops is replaced by another within one.
pub fn spawn(ctx: ApiContext) {
    let period = ctx.settings.maintenance_interval;
    let holder = format!("instance-{}", uuid::Uuid::now_v7());
    actix_web::rt::spawn(async move {
        let start = tokio::time::Instant::now() + FIRST_ATTEMPT_AFTER.min(period);
        let mut ticker = tokio::time::interval_at(start, period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = run_if_leased(&ctx, &holder, period).await {
                tracing::error!(%error, "maintenance: failed; the next interval tries again");
            }
        }
    });
}
