//! Administrators grant and revoke the staff roles (`/v1/staff/roles`), as the operator does
//! with `comptexpert staff grant|revoke`. A grant or revocation is audited; the roles take
//! effect at the next staff request (they are read at each one) and appear in the access tokens
//! issued from then on.

use chrono::NaiveDateTime;
use serde_json::json;

use super::{Actor, Need, Staff};
use crate::{
    context::ApiContext,
    db::{self, accounts::Account, reference::Region, staff::StaffRole, DbConnection},
    domain::states::StaffRoleKind,
    error::{ApiError, ErrorCode, FieldIssue},
    i18n::Text,
};

/// Who grants: an administrator (its account id is recorded), or the operator's command line.
pub const OPERATOR: &str = "operator";

/// Checks that a council role names a known region and a national one none.
fn check_scope(
    conn: &mut DbConnection,
    role: StaffRoleKind,
    region_code: Option<&str>,
) -> Result<(), ApiError> {
    match (role, region_code) {
        (StaffRoleKind::Council, Some(code)) => {
            if Region::find(conn, code)?.is_none() {
                return Err(ApiError::of(ErrorCode::RegionNotFound));
            }
            Ok(())
        }
        (StaffRoleKind::Council, None) => Err(ApiError::validation(vec![FieldIssue::new(
            "region_code",
            "required",
            Text::new(
                "Un rôle de conseil régional porte sur une région.",
                "A council role is for one region.",
            ),
        )])),
        (_, Some(_)) => Err(ApiError::validation(vec![FieldIssue::new(
            "region_code",
            "not_allowed",
            Text::new(
                "Les rôles support et administrateur sont nationaux : pas de région.",
                "The support and administrator roles are national: no region.",
            ),
        )])),
        (_, None) => Ok(()),
    }
}

fn view(role: &StaffRole) -> serde_json::Value {
    json!({"account_id": role.account_id, "role": role.role.as_str(), "region_code": role.region_code})
}

/// Grants `role` to the account `identifier`, in one transaction with its audit record when an
/// administrator grants it: the grant, and whether it is new.
pub fn grant_in(
    conn: &mut DbConnection,
    staff: Option<&Staff>,
    identifier: &str,
    role: StaffRoleKind,
    region_code: Option<&str>,
    now: NaiveDateTime,
) -> Result<(StaffRole, bool), ApiError> {
    check_scope(conn, role, region_code)?;
    let account = Account::find_by_identifier(conn, identifier)?
        .ok_or_else(|| ApiError::of(ErrorCode::AccountNotFound))?;
    let granted_by = staff.map_or(OPERATOR, |s| s.account_id.as_str());
    let (granted, new) = StaffRole::grant(conn, &account.id, role, region_code, granted_by, now)?;
    if let (Some(staff), true) = (staff, new) {
        staff.audit(
            conn,
            "role.granted",
            ("staff_role", &granted.id),
            None,
            Some(view(&granted)),
            now,
        )?;
    }
    Ok((granted, new))
}

/// Revokes `role` from the account `identifier`; `Ok(None)` when it did not hold it.
pub fn revoke_in(
    conn: &mut DbConnection,
    staff: Option<&Staff>,
    identifier: &str,
    role: StaffRoleKind,
    region_code: Option<&str>,
    now: NaiveDateTime,
) -> Result<Option<StaffRole>, ApiError> {
    let account = Account::find_by_identifier(conn, identifier)?
        .ok_or_else(|| ApiError::of(ErrorCode::AccountNotFound))?;
    let revoked = StaffRole::revoke(conn, &account.id, role, region_code)?;
    if let (Some(staff), Some(revoked)) = (staff, &revoked) {
        staff.audit(
            conn,
            "role.revoked",
            ("staff_role", &revoked.id),
            Some(view(revoked)),
            None,
            now,
        )?;
    }
    Ok(revoked)
}

/// Every grant with its account's identifier.
pub async fn list(ctx: &ApiContext, actor: &Actor) -> Result<Vec<(StaffRole, String)>, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            Staff::require(conn, &actor, Need::Administrator, now)?;
            Ok(StaffRole::all(conn)?)
        })
        .await
}

/// An administrator grants a role: the grant, and whether it is new.
pub async fn grant(
    ctx: &ApiContext,
    actor: &Actor,
    identifier: String,
    role: StaffRoleKind,
    region_code: Option<String>,
) -> Result<(StaffRole, bool), ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                grant_in(
                    conn,
                    Some(&staff),
                    &identifier,
                    role,
                    region_code.as_deref(),
                    now,
                )
            })
        })
        .await
}

/// An administrator revokes the grant `id` (404 when there is none).
pub async fn revoke_by_id(ctx: &ApiContext, actor: &Actor, id: String) -> Result<(), ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let held = StaffRole::find_by_id(conn, &id)?.ok_or_else(ApiError::not_found)?;
                StaffRole::revoke(
                    conn,
                    &held.account_id,
                    held.role,
                    held.region_code.as_deref(),
                )?;
                staff.audit(
                    conn,
                    "role.revoked",
                    ("staff_role", &held.id),
                    Some(view(&held)),
                    None,
                    now,
                )?;
                Ok(())
            })
        })
        .await
}

/// The operator grants (`comptexpert staff grant`): no audit actor, `granted_by` is `operator`.
pub async fn grant_by_operator(
    ctx: &ApiContext,
    identifier: String,
    role: StaffRoleKind,
    region_code: Option<String>,
) -> Result<(StaffRole, bool), ApiError> {
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                grant_in(conn, None, &identifier, role, region_code.as_deref(), now)
            })
        })
        .await
}

/// The operator revokes (`comptexpert staff revoke`).
pub async fn revoke_by_operator(
    ctx: &ApiContext,
    identifier: String,
    role: StaffRoleKind,
    region_code: Option<String>,
) -> Result<Option<StaffRole>, ApiError> {
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                revoke_in(conn, None, &identifier, role, region_code.as_deref(), now)
            })
        })
        .await
}

/// Every grant, for the operator (`comptexpert staff list`).
pub async fn list_by_operator(ctx: &ApiContext) -> Result<Vec<(StaffRole, String)>, ApiError> {
    ctx.db.run(|conn| Ok(StaffRole::all(conn)?)).await
}
