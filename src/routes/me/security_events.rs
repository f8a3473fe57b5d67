use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::me::security_history::{security_history, HistoryPage, PageRequest},
};

/// Pagination.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One event of the account's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEventView {
    pub id: String,
    /// `sign_in`, `sign_in_failed`, `account_locked`, `sign_out`, `session_revoked`,
    /// `refresh_token_reused`, `password_set`, `password_changed`, `password_reset`,
    /// `email_change_requested`, `email_changed`, `profile_updated`, `device_enrolled`,
    /// `device_removed`, `certificate_enrolled`, `certificate_removed`, `viewed_by_support`
    /// (from here on, the support desk's actions), `sign_in_unlocked_by_support`,
    /// `sessions_revoked_by_support`, `activation_link_resent`, `reset_link_sent_by_support`,
    /// `email_corrected_by_support`, `device_removed_by_support` or
    /// `certificate_removed_by_support`.
    #[schema(value_type = String, example = "sign_in")]
    pub kind: SecurityEventKind,
    /// Sign-in method where it applies: `pwd`, `qr`, `x509`.
    pub method: Option<String>,
    pub client_address: Option<String>,
    pub session_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl SecurityEventView {
    pub fn of(e: crate::db::security_events::SecurityEvent) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            method: e.method,
            client_address: e.client_address,
            session_id: e.session_id,
            occurred_at: e.created_at.and_utc(),
        }
    }
}

/// A page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEventPage {
    /// Newest first.
    pub items: Vec<SecurityEventView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The account's own security history: sign-ins (method, client address), failures, password and
/// email changes, revocations. Nothing secret is in it.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of events", body = SecurityEventPage),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: limit out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/security-events")]
pub async fn security_events(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let PageQuery { limit, cursor } = query.into_inner();
    let HistoryPage {
        events,
        next_cursor,
    } = security_history(&ctx, &auth, PageRequest { limit, cursor }).await?;
    let items = events.into_iter().map(SecurityEventView::of).collect();
    Ok(HttpResponse::Ok().json(SecurityEventPage { items, next_cursor }))
}
