use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    db::{self, BackendKind},
    error::{ApiError, ErrorCode, Problem},
};

/// How long `/ready` waits for a connection: a load balancer's probe must hear "not ready" in well
/// under a second when the database is down, not after the requests' own checkout timeout.
const READY_CHECKOUT: std::time::Duration = std::time::Duration::from_millis(250);

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
        (status = 503, description = "`not_ready`: database unreachable or migrations pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ready")]
pub async fn ready(ctx: web::Data<ApiContext>) -> Result<HttpResponse, ApiError> {
    let (kind, up_to_date) = ctx
        .db
        .run_within(READY_CHECKOUT, |conn| {
            let up_to_date = db::migrations_up_to_date(conn).map_err(ApiError::internal)?;
            Ok((db::kind_of(conn), up_to_date))
        })
        .await
        .map_err(|e| {
            if e.status().is_server_error() {
                not_ready()
            } else {
                e
            }
        })?;
    if !up_to_date {
        return Err(not_ready());
    }
    let database = match kind {
        BackendKind::Sqlite => "sqlite",
        BackendKind::Postgres => "postgres",
    };
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database,
    }))
}

fn not_ready() -> ApiError {
    ApiError::of(ErrorCode::NotReady)
}
