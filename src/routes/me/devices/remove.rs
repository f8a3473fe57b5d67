use actix_web::{delete, web, HttpResponse};

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{expertpass::remove_device::remove_device, Client},
};

/// Remove one of the account's Expertpass devices: it can no longer approve sign-ins (sessions it
/// approved stay open; close them from `GET /v1/me/sessions`). Another account's device is 404,
/// like one that does not exist. Recorded (`device_removed`) and notified by email.
#[utoipa::path(
    operation_id = "remove_device",
    tag = "expertpass",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/me/devices/{id}")]
pub async fn remove(
    ctx: web::Data<ApiContext>,
    client: Client,
    auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    remove_device(&ctx, &auth, id.into_inner(), client).await?;
    Ok(HttpResponse::NoContent().finish())
}
