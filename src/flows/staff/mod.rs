//! The Ordre's staff side: who may act as what (roles, step-up), and the audit trail every
//! staff action leaves. The support desk's use cases are in [`accounts`], the administrators'
//! in [`roles`] and [`audit`].
//!
//! Every staff use case starts with [`Staff::require`], in the transaction of the action: the
//! roles are read from the database at each request (a role revoked stops working at once),
//! an account without the role needed gets 404 as if the endpoint did not exist, and a session
//! signed in more than 15 minutes ago must confirm its password again (`POST
//! /v1/staff/step-up`) before it acts.

pub mod accounts;
pub mod audit;
pub mod clients;
pub mod council;
pub mod roles;

use chrono::{Duration, NaiveDateTime};
use serde_json::Value;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        sessions::Session,
        staff::{self as stored, AuditRecord, StaffRole},
        DbConnection,
    },
    domain::states::StaffRoleKind,
    error::{ApiError, ErrorCode},
    flows::Client,
};

/// How long after a sign-in or a step-up a session may act as staff.
pub const STEP_UP_WINDOW: Duration = Duration::minutes(15);

/// The caller of a staff endpoint: who, from where, in which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub auth: Authenticated,
    pub client: Client,
    pub request_id: Option<String>,
}

/// A staff member allowed the action at hand, as of the transaction it runs in.
#[derive(Debug, Clone)]
pub struct Staff {
    pub account_id: String,
    pub identifier: String,
    pub roles: Vec<StaffRole>,
    /// The role the action is taken as (recorded in the audit log).
    pub acting_as: StaffRoleKind,
    pub request_id: Option<String>,
    pub client_address: String,
}

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need<'a> {
    Support,
    Administrator,
    /// A council role for this region.
    CouncilOf(&'a str),
    /// The barème of this region: its council or an administrator (who acts as such).
    ScalesOf(&'a str),
}

impl Staff {
    /// The caller as staff allowed `need`: 404 without the role, 403 `step_up_required` when
    /// the session's last sign-in or step-up is older than [`STEP_UP_WINDOW`].
    pub fn require(
        conn: &mut DbConnection,
        actor: &Actor,
        need: Need<'_>,
        now: NaiveDateTime,
    ) -> Result<Self, ApiError> {
        let roles = StaffRole::of_account(conn, &actor.auth.account_id)?;
        let holds = |kind: StaffRoleKind| roles.iter().any(|r| r.role == kind);
        let acting_as = match need {
            Need::Support if holds(StaffRoleKind::Support) => StaffRoleKind::Support,
            Need::Administrator if holds(StaffRoleKind::Administrator) => {
                StaffRoleKind::Administrator
            }
            Need::CouncilOf(region)
                if roles.iter().any(|r| {
                    r.role == StaffRoleKind::Council && r.region_code.as_deref() == Some(region)
                }) =>
            {
                StaffRoleKind::Council
            }
            Need::ScalesOf(region)
                if roles.iter().any(|r| {
                    r.role == StaffRoleKind::Council && r.region_code.as_deref() == Some(region)
                }) =>
            {
                StaffRoleKind::Council
            }
            Need::ScalesOf(_) if holds(StaffRoleKind::Administrator) => {
                StaffRoleKind::Administrator
            }
            _ => return Err(ApiError::not_found()),
        };
        let session = Session::find_live(conn, &actor.auth.session_id, now)?
            .ok_or_else(ApiError::not_found)?;
        let last_proof = stored::stepped_up_at(conn, &session.id)?
            .map_or(session.created_at, |at| at.max(session.created_at));
        if now - last_proof > STEP_UP_WINDOW {
            return Err(ApiError::of(ErrorCode::StepUpRequired));
        }
        let identifier = Account::find(conn, &actor.auth.account_id)?
            .map(|a| a.identifier)
            .ok_or_else(ApiError::not_found)?;
        Ok(Self {
            account_id: actor.auth.account_id.clone(),
            identifier,
            roles,
            acting_as,
            request_id: actor.request_id.clone(),
            client_address: actor.client.address.clone(),
        })
    }

    /// Appends the audit record of an action on `target_kind`/`target_id`, in the caller's
    /// transaction: the action and its record commit together.
    pub fn audit(
        &self,
        conn: &mut DbConnection,
        action: &str,
        target: (&str, &str),
        before: Option<Value>,
        after: Option<Value>,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<()> {
        AuditRecord {
            id: uuid::Uuid::now_v7().to_string(),
            at: now,
            actor_account_id: self.account_id.clone(),
            actor_identifier: self.identifier.clone(),
            actor_role: self.acting_as.as_str().to_owned(),
            action: action.to_owned(),
            target_kind: target.0.to_owned(),
            target_id: target.1.to_owned(),
            before_value: before.map(|v| v.to_string()),
            after_value: after.map(|v| v.to_string()),
            request_id: self.request_id.clone(),
            client_address: Some(self.client_address.clone()),
        }
        .append(conn)
    }
}

/// The caller's roles (empty for anyone who is not staff): what the front end shows.
pub async fn my_roles(ctx: &ApiContext, auth: &Authenticated) -> Result<Vec<StaffRole>, ApiError> {
    let account_id = auth.account_id.clone();
    ctx.db
        .run(move |conn| Ok(StaffRole::of_account(conn, &account_id)?))
        .await
}

/// Confirms the caller's password again: staff actions are allowed for 15 minutes from now.
/// Refused as a password change's confirmation is (`current_password_incorrect`, counted
/// towards the identifier's lock).
pub async fn step_up(
    ctx: &ApiContext,
    auth: &Authenticated,
    password: String,
) -> Result<(), ApiError> {
    crate::flows::me::change_password::verify_current_password(ctx, auth, password).await?;
    let session_id = auth.session_id.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            Ok(db::session_write_transaction(conn, |conn| {
                stored::record_step_up(conn, &session_id, now)
            })?)
        })
        .await
}

/// Confirms the caller's identity again with Signexpert: a signed challenge and a trusted
/// certificate that signs in to the caller's own account. Staff actions are then allowed for 15
/// minutes. Refused as a Signexpert sign-in is, and `certificate_not_linked` for a certificate
/// of another account.
pub async fn step_up_with_certificate(
    ctx: &ApiContext,
    auth: &Authenticated,
    proof: crate::auth::signexpert::proof::CertificateProof,
    client: Client,
) -> Result<(), ApiError> {
    use crate::auth::signexpert::proof as certificate;
    certificate::trust_store(ctx)?;
    crate::limits::enforce(
        ctx,
        crate::limits::SIGNEXPERT_PROOF_PER_CLIENT,
        &client.address,
    )
    .await?;
    let identity = certificate::verify(ctx, proof).await?;
    let now = ctx.clock.now();
    let account_id = auth.account_id.clone();
    let session_id = auth.session_id.clone();
    ctx.db
        .run(move |conn| {
            db::session_write_transaction(conn, |conn| {
                let account = crate::flows::signexpert::sign_in::account_for(conn, &identity, now)?;
                if account.map(|a| a.id) != Some(account_id) {
                    return Err(crate::flows::signexpert::sign_in::certificate_not_linked());
                }
                Ok(stored::record_step_up(conn, &session_id, now)?)
            })
        })
        .await
}
