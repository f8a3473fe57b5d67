use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::DeviceView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::expertpass::list_devices::list_devices,
};

/// The account's Expertpass devices.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceList {
    /// Oldest enrolment first.
    pub items: Vec<DeviceView>,
}

/// List the signed-in account's Expertpass devices.
#[utoipa::path(
    operation_id = "list_devices",
    tag = "expertpass",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Enrolled devices", body = DeviceList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/devices")]
pub async fn list(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let devices = list_devices(&ctx, &auth).await?;
    Ok(HttpResponse::Ok().json(DeviceList {
        items: devices.into_iter().map(DeviceView::from).collect(),
    }))
}
