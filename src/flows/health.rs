//! Whether this instance can take traffic.

use std::time::Duration;

use crate::{
    context::ApiContext,
    db::{self, BackendKind},
    error::ApiError,
};

/// How long the check waits for a connection: a load balancer's probe must hear "not ready" in
/// well under a second when the database is down, not after the requests' own checkout timeout.
const READY_CHECKOUT: Duration = Duration::from_millis(250);

/// The instance's state as a load balancer needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceState {
    /// The database answers and every migration is applied.
    Ready(BackendKind),
    /// The database does not answer in time, or migrations are pending.
    NotReady,
}

/// Checks the database and the migrations.
pub async fn readiness(ctx: &ApiContext) -> Result<InstanceState, ApiError> {
    let checked = ctx
        .db
        .run_within(READY_CHECKOUT, |conn| {
            let up_to_date = db::migrations_up_to_date(conn).map_err(ApiError::internal)?;
            Ok((db::kind_of(conn), up_to_date))
        })
        .await;
    Ok(match checked {
        Ok((kind, true)) => InstanceState::Ready(kind),
        Ok((_, false)) => InstanceState::NotReady,
        Err(error) if error.status().is_server_error() => InstanceState::NotReady,
        Err(error) => return Err(error),
    })
}

/// Brings the figures read at scrape time up to date (pool connections, outbox), before
/// `/metrics` renders them. A database that does not answer leaves the outbox figures as they
/// were: the scrape still answers, with the pool showing why.
pub async fn scrape(ctx: &ApiContext) {
    let state = ctx.db.pool().state();
    let outbox = ctx
        .db
        .run_within(READY_CHECKOUT, |conn| {
            Ok(db::outbox::OutboxEmail::counts(conn)?)
        })
        .await;
    let in_use = state.connections.saturating_sub(state.idle_connections);
    match outbox {
        Ok(counts) => crate::measures::scraped(in_use, state.idle_connections, Some(counts)),
        Err(error) => {
            tracing::warn!(%error, "metrics: cannot count the outbox");
            crate::measures::scraped(in_use, state.idle_connections, None)
        }
    }
}
