//! The audit log for administrators (`/v1/staff/audit-log`): read it, export it as CSV.

use actix_web::{get, http::header, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    context::ApiContext,
    db::staff::{AuditFilter, AuditRecord},
    error::{ApiError, Problem},
    flows::staff::{audit as flow, Actor},
};

/// Which records.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only the actions of this staff account.
    pub actor_account_id: Option<String>,
    /// Only actions on this kind of record (account, staff_role, audit_log).
    pub target_kind: Option<String>,
    /// Only actions on this record.
    pub target_id: Option<String>,
    /// The id of the last record of the previous page.
    pub before: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor_account_id: self.actor_account_id.clone(),
            target_kind: self.target_kind.clone(),
            target_id: self.target_id.clone(),
            before_id: self.before.clone(),
        }
    }
}

/// One staff action.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordView {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_account_id: String,
    pub actor_identifier: String,
    /// The role acted as: support, council or administrator.
    pub actor_role: String,
    /// What was done (account.sign_in_unlocked, account.email_corrected, role.granted…).
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    /// The values the action changed, as they were.
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    /// The values the action changed, as they became.
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

fn parsed(text: Option<&str>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

impl From<AuditRecord> for AuditRecordView {
    fn from(r: AuditRecord) -> Self {
        Self {
            before: parsed(r.before_value.as_deref()),
            after: parsed(r.after_value.as_deref()),
            id: r.id,
            at: r.at.and_utc(),
            actor_account_id: r.actor_account_id,
            actor_identifier: r.actor_identifier,
            actor_role: r.actor_role,
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            request_id: r.request_id,
            client_address: r.client_address,
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditRecordView>,
}

/// Read the audit log, newest first (reading it is audited too).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of records", body = AuditPage),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/audit-log")]
pub async fn read_audit_log(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let records = flow::page(&ctx, &actor, query.filter(), limit).await?;
    Ok(HttpResponse::Ok().json(AuditPage {
        items: records.into_iter().map(AuditRecordView::from).collect(),
    }))
}

/// Export the audit log as CSV for a French spreadsheet: UTF-8 with a BOM, `;` between fields,
/// a header line, newest first.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The records as CSV", body = String, content_type = "text/csv"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/audit-log/export")]
pub async fn export_audit_log(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let records = flow::export(&ctx, &actor, query.filter()).await?;
    let body = super::french_csv(
        &[
            "id",
            "at",
            "actor_account_id",
            "actor_identifier",
            "actor_role",
            "action",
            "target_kind",
            "target_id",
            "before",
            "after",
            "request_id",
            "client_address",
        ],
        records.into_iter().map(|r| {
            vec![
                r.id,
                r.at.and_utc().to_rfc3339(),
                r.actor_account_id,
                r.actor_identifier,
                r.actor_role,
                r.action,
                r.target_kind,
                r.target_id,
                r.before_value.unwrap_or_default(),
                r.after_value.unwrap_or_default(),
                r.request_id.unwrap_or_default(),
                r.client_address.unwrap_or_default(),
            ]
        }),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"journal-audit.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
