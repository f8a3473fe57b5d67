//! The audit log, read by administrators (`/v1/staff/audit-log`): every staff action, newest
//! first, filtered by who acted or on what, and exported as CSV for the Ordre's controllers.
//! Reading it is itself audited.

use super::{Actor, Need, Staff};
use crate::{
    context::ApiContext,
    db::{
        self,
        staff::{AuditFilter, AuditRecord},
    },
    error::ApiError,
};

/// A page of records matching `filter`, newest first.
pub async fn page(
    ctx: &ApiContext,
    actor: &Actor,
    filter: AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRecord>, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let records = AuditRecord::page(conn, &filter, limit)?;
                staff.audit(
                    conn,
                    "audit_log.read",
                    ("audit_log", "page"),
                    None,
                    None,
                    now,
                )?;
                Ok(records)
            })
        })
        .await
}

/// Every record matching `filter` (up to `EXPORT_LIMIT`), newest first, for the CSV export.
pub const EXPORT_LIMIT: i64 = 100_000;

pub async fn export(
    ctx: &ApiContext,
    actor: &Actor,
    filter: AuditFilter,
) -> Result<Vec<AuditRecord>, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let records = AuditRecord::page(conn, &filter, EXPORT_LIMIT)?;
                staff.audit(
                    conn,
                    "audit_log.exported",
                    ("audit_log", "export"),
                    None,
                    None,
                    now,
                )?;
                Ok(records)
            })
        })
        .await
}
