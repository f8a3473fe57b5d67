use actix_web::{get, web::Json};
use serde::Serialize;
use utoipa::ToSchema;

/// The process is up.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers. Touches nothing else, so an orchestrator never restarts a
/// healthy process because its database is slow.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is alive", body = Health)))]
#[get("/health")]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}
