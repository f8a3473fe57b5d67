use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel::Connection;
use serde::Deserialize;
use utoipa::ToSchema;

use super::DeviceView;
use crate::domain::states::SecurityEventKind;
use crate::{
    auth::{encoding, expertpass, extractor::Authenticated},
    context::ApiContext,
    db::{self, accounts::Account, expertpass_devices::ExpertpassDevice},
    error::{ApiError, ErrorCode, FieldIssue, Problem},
    i18n::Text,
    limits,
};

/// Longest device name, in characters.
const NAME_MAX_CHARS: usize = 100;

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
    req: HttpRequest,
    auth: Authenticated,
    body: web::Json<EnrolDeviceRequest>,
) -> Result<HttpResponse, ApiError> {
    let EnrolDeviceRequest { name, public_key } = body.into_inner();
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim().to_owned();
    let mut issues = Vec::new();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        issues.push(FieldIssue::new(
            "name",
            "length",
            Text::new(
                "Le nom de l'appareil comporte de 1 à 100 caractères.",
                "The device name has 1 to 100 characters.",
            ),
        ));
    }
    let key = expertpass::parse_public_key(&public_key);
    if key.is_none() {
        issues.push(FieldIssue::new(
            "public_key",
            "ed25519_public_key",
            Text::new(
                "La clé publique doit être une clé Ed25519 de 32 octets encodée en base64url.",
                "The public key must be a 32-byte Ed25519 key, base64url-encoded.",
            ),
        ));
    }
    let (Some(key), true) = (key, issues.is_empty()) else {
        return Err(ApiError::validation(issues));
    };
    let now = db::now();
    let device = ExpertpassDevice {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: auth.account_id.clone(),
        name,
        public_key: encoding::encode_base64url(key.as_bytes()),
        created_at: now,
        last_used_at: None,
    };
    let row = device.clone();
    let address = limits::client_address(&req);
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let account = Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                if ExpertpassDevice::count(conn, &account.id)? >= ExpertpassDevice::MAX_PER_ACCOUNT {
                    return Err(device_limit_reached());
                }
                // In a savepoint: on PostgreSQL a failed statement would abort the transaction.
                match conn.transaction(|conn| ExpertpassDevice::insert(conn, &row)) {
                    Err(e) if db::is_unique_violation(&e) => return Err(already_enrolled()),
                    other => other?,
                }
                crate::routes::me::record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &address,
                    SecurityEventKind::DeviceEnrolled,
                    format!(
                            "L'appareil Expertpass « {} » a été associé à votre compte : il peut désormais valider vos connexions.",
                            row.name
                        ),
                    format!(
                            "The Expertpass device \"{}\" was enrolled on your account: it can now approve your sign-ins.",
                            row.name
                        ),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(DeviceView::from(device)))
}

fn already_enrolled() -> ApiError {
    ApiError::of(ErrorCode::DeviceAlreadyEnrolled)
}

fn device_limit_reached() -> ApiError {
    ApiError::of(ErrorCode::DeviceLimitReached)
}
