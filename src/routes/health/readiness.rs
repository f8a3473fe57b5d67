use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    db::BackendKind,
    error::{ApiError, ErrorCode, Problem},
    flows::health::{self, InstanceState},
};

/// The service can take traffic.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// Always `ready`.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The backend in use: `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "`not_ready`: database unreachable or migrations pending (with `Retry-After`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ready")]
pub async fn ready(ctx: web::Data<ApiContext>) -> Result<HttpResponse, ApiError> {
    let database = match health::readiness(&ctx).await? {
        InstanceState::Ready(BackendKind::Sqlite) => "sqlite",
        InstanceState::Ready(BackendKind::Postgres) => "postgres",
        InstanceState::NotReady => {
            return Err(ApiError::of(ErrorCode::NotReady)
                .with_header(actix_web::http::header::RETRY_AFTER, "1"))
        }
    };
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database,
    }))
}
