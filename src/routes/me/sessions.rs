use actix_web::{delete, get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::me::sessions as flow,
};

/// An open session of the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    /// `pwd`, `qr` (Expertpass) or `x509` (Signexpert).
    #[schema(example = "pwd")]
    pub method: String,
    /// "Garder ma session active" was ticked.
    pub keep_active: bool,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// True for the session making this request.
    pub current: bool,
}

impl SessionView {
    pub fn of(s: crate::db::sessions::Session, current: bool) -> Self {
        Self {
            current,
            id: s.id,
            method: s.amr,
            keep_active: s.keep_active,
            client_address: s.client_address,
            user_agent: s.user_agent,
            created_at: s.created_at.and_utc(),
            last_used_at: s.last_used_at.and_utc(),
            expires_at: s.expires_at.and_utc(),
        }
    }
}

/// The account's open sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    /// Newest first.
    pub items: Vec<SessionView>,
}

/// List one's open sessions.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Open sessions", body = SessionList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/sessions")]
pub async fn list_sessions(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let sessions = flow::list_sessions(&ctx, &auth).await?;
    let items = sessions
        .into_iter()
        .map(|s| {
            let current = s.id == auth.session_id;
            SessionView::of(s, current)
        })
        .collect();
    Ok(HttpResponse::Ok().json(SessionList { items }))
}

/// Close one of one's sessions (another device, a forgotten browser). Another account's session
/// is 404, like one that does not exist.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 204, description = "Session closed"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/me/sessions/{id}")]
pub async fn revoke_session(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::revoke_session(&ctx, &auth, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
