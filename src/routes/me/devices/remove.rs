use actix_web::{delete, web, HttpRequest, HttpResponse};

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{self, accounts::Account, expertpass_devices::ExpertpassDevice},
    error::{ApiError, Problem},
    limits,
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
    req: HttpRequest,
    auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let address = limits::client_address(&req);
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let device = ExpertpassDevice::delete_owned(conn, &auth.account_id, &id)?
                    .ok_or_else(ApiError::not_found)?;
                let account =
                    Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                crate::routes::me::record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &address,
                    SecurityEventKind::DeviceRemoved,
                    format!(
                        "L'appareil Expertpass « {} » a été retiré de votre compte.",
                        device.name
                    ),
                    format!(
                        "The Expertpass device \"{}\" was removed from your account.",
                        device.name
                    ),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
