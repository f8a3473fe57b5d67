use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::DeviceView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        expertpass::enrol_device::{self as flow, NewDevice},
        Client,
    },
};

/// A device to enrol.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrolDeviceRequest {
    /// A name the owner will recognise in the list, 1 to 100 characters.
    #[schema(example = "iPhone de Marie")]
    pub name: String,
    /// The app's Ed25519 public key: its 32 bytes, base64url (padding and standard base64 are
    /// accepted; the answer gives the canonical unpadded base64url form). The app generates the
    /// key pair and keeps the private key in the platform's secure storage.
    #[schema(example = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")]
    pub public_key: String,
}

/// Enrol the signed-in account's Expertpass device (the mobile app). The device can then approve
/// sign-ins to this account. Recorded in the security history (`device_enrolled`) and notified by
/// email.
#[utoipa::path(
    operation_id = "enrol_device",
    tag = "expertpass",
    security(("bearer" = [])),
    request_body = EnrolDeviceRequest,
    responses(
        (status = 201, description = "Enrolled; `id` is the `device_id` of approvals", body = DeviceView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`device_already_enrolled`: this key is enrolled already; `device_limit_reached`: 10 devices at most", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: empty or long name, key not 32 bytes of base64 or not a usable Ed25519 key", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/devices")]
pub async fn enrol(
    ctx: web::Data<ApiContext>,
    client: Client,
    auth: Authenticated,
    body: web::Json<EnrolDeviceRequest>,
) -> Result<HttpResponse, ApiError> {
    let EnrolDeviceRequest { name, public_key } = body.into_inner();
    let device = flow::enrol_device(&ctx, &auth, NewDevice { name, public_key }, client).await?;
    Ok(HttpResponse::Created().json(DeviceView::from(device)))
}
