//! The Ordre's staff (migration 000022): the roles granted to accounts, the append-only audit
//! log of what staff did, and the step-ups that let an older session act as staff.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    schema::{accounts, audit_log, session_step_ups, staff_roles},
    DbConnection,
};
use crate::domain::states::StaffRoleKind;

/// A role granted to an account, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = staff_roles)]
pub struct StaffRole {
    pub id: String,
    pub account_id: String,
    pub role: StaffRoleKind,
    /// The region of a council role.
    pub region_code: Option<String>,
    pub granted_at: NaiveDateTime,
    pub granted_by: String,
}

impl StaffRole {
    /// Grants `role` (in `region_code` for a council) to `account_id`: the grant, and whether it
    /// is new (`false`: the account already held it, nothing changed).
    pub fn grant(
        conn: &mut DbConnection,
        account_id: &str,
        role: StaffRoleKind,
        region_code: Option<&str>,
        granted_by: &str,
        now: NaiveDateTime,
    ) -> QueryResult<(Self, bool)> {
        if let Some(held) = Self::find(conn, account_id, role, region_code)? {
            return Ok((held, false));
        }
        let granted = Self {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: account_id.to_owned(),
            role,
            region_code: region_code.map(str::to_owned),
            granted_at: now,
            granted_by: granted_by.to_owned(),
        };
        diesel::insert_into(staff_roles::table)
            .values(&granted)
            .execute(conn)?;
        Ok((granted, true))
    }

    /// One grant by id.
    pub fn find_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        staff_roles::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The grant of `role` (in `region_code`) to `account_id`, if any.
    pub fn find(
        conn: &mut DbConnection,
        account_id: &str,
        role: StaffRoleKind,
        region_code: Option<&str>,
    ) -> QueryResult<Option<Self>> {
        let query = staff_roles::table
            .filter(staff_roles::account_id.eq(account_id))
            .filter(staff_roles::role.eq(role))
            .select(Self::as_select());
        match region_code {
            Some(code) => query.filter(staff_roles::region_code.eq(code)).first(conn),
            None => query.filter(staff_roles::region_code.is_null()).first(conn),
        }
        .optional()
    }

    /// Removes a grant; the removed row, `None` when there was none.
    pub fn revoke(
        conn: &mut DbConnection,
        account_id: &str,
        role: StaffRoleKind,
        region_code: Option<&str>,
    ) -> QueryResult<Option<Self>> {
        let Some(found) = Self::find(conn, account_id, role, region_code)? else {
            return Ok(None);
        };
        diesel::delete(staff_roles::table.find(&found.id)).execute(conn)?;
        Ok(Some(found))
    }

    /// The roles of one account.
    pub fn of_account(conn: &mut DbConnection, account_id: &str) -> QueryResult<Vec<Self>> {
        staff_roles::table
            .filter(staff_roles::account_id.eq(account_id))
            .order((staff_roles::role, staff_roles::region_code))
            .select(Self::as_select())
            .load(conn)
    }

    /// Every grant with its account's identifier, by identifier.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<(Self, String)>> {
        staff_roles::table
            .inner_join(accounts::table)
            .order((
                accounts::identifier,
                staff_roles::role,
                staff_roles::region_code,
            ))
            .select((Self::as_select(), accounts::identifier))
            .load(conn)
    }
}

/// One line of the audit log, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRecord {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_account_id: String,
    pub actor_identifier: String,
    pub actor_role: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

/// What an audit page is filtered by.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_account_id: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// Records strictly older than this id (ids are time-ordered UUIDv7): the next page.
    pub before_id: Option<String>,
}

impl AuditRecord {
    /// Appends the record.
    pub fn append(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(audit_log::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// Up to `limit` records matching `filter`, newest first.
    pub fn page(
        conn: &mut DbConnection,
        filter: &AuditFilter,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = audit_log::table.select(Self::as_select()).into_boxed();
        if let Some(actor) = &filter.actor_account_id {
            query = query.filter(audit_log::actor_account_id.eq(actor.clone()));
        }
        if let Some(kind) = &filter.target_kind {
            query = query.filter(audit_log::target_kind.eq(kind.clone()));
        }
        if let Some(target) = &filter.target_id {
            query = query.filter(audit_log::target_id.eq(target.clone()));
        }
        if let Some(before) = &filter.before_id {
            query = query.filter(audit_log::id.lt(before.clone()));
        }
        query.order(audit_log::id.desc()).limit(limit).load(conn)
    }

    /// Records about `target_kind`/`target_id`, oldest first.
    pub fn of_target(
        conn: &mut DbConnection,
        target_kind: &str,
        target_id: &str,
    ) -> QueryResult<Vec<Self>> {
        audit_log::table
            .filter(audit_log::target_kind.eq(target_kind))
            .filter(audit_log::target_id.eq(target_id))
            .order(audit_log::id)
            .select(Self::as_select())
            .load(conn)
    }
}

/// Records that the owner of `session_id` confirmed their password again at `now`.
pub fn record_step_up(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(session_step_ups::table.find(session_id))
        .set(session_step_ups::stepped_up_at.eq(now))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(session_step_ups::table)
            .values((
                session_step_ups::session_id.eq(session_id),
                session_step_ups::stepped_up_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// When the owner of `session_id` last confirmed their password, if ever.
pub fn stepped_up_at(
    conn: &mut DbConnection,
    session_id: &str,
) -> QueryResult<Option<NaiveDateTime>> {
    session_step_ups::table
        .find(session_id)
        .select(session_step_ups::stepped_up_at)
        .first(conn)
        .optional()
}
