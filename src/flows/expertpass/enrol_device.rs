//! Enrolling the signed-in account's Expertpass device (the mobile app, by its Ed25519 public
//! key): it can then approve sign-ins to this account. Recorded (`device_enrolled`) and notified
//! by email.

use diesel::Connection;

use crate::flows::me::notify::record_and_notify;
use crate::{
    auth::{encoding, expertpass, extractor::Authenticated},
    context::ApiContext,
    db::{self, accounts::Account, expertpass_devices::ExpertpassDevice},
    domain::states::SecurityEventKind,
    error::{ApiError, ErrorCode, FieldIssue},
    flows::Client,
    i18n::Text,
};

/// Longest device name, in characters.
const NAME_MAX_CHARS: usize = 100;

/// The device to enrol, as the app sent it.
pub struct NewDevice {
    /// A name the owner will recognise, 1 to 100 characters (control characters dropped).
    pub name: String,
    /// The app's Ed25519 public key, 32 bytes in base64url (or padded / standard base64).
    pub public_key: String,
}

/// Enrols the device on the caller's account; returns it as stored (its id is the `device_id`
/// of approvals, its key in canonical unpadded base64url). 409 `device_already_enrolled` for a
/// key enrolled already, `device_limit_reached` past [`ExpertpassDevice::MAX_PER_ACCOUNT`].
pub async fn enrol_device(
    ctx: &ApiContext,
    auth: &Authenticated,
    new: NewDevice,
    client: Client,
) -> Result<ExpertpassDevice, ApiError> {
    let NewDevice { name, public_key } = new;
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
    let device = ExpertpassDevice {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: auth.account_id.clone(),
        name,
        public_key: encoding::encode_base64url(key.as_bytes()),
        created_at: ctx.clock.now(),
        last_used_at: None,
    };
    let row = device.clone();
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let account =
                    Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                if ExpertpassDevice::count(conn, &account.id)? >= ExpertpassDevice::MAX_PER_ACCOUNT
                {
                    return Err(device_limit_reached());
                }
                // In a savepoint: on PostgreSQL a failed statement would abort the transaction.
                match conn.transaction(|conn| ExpertpassDevice::insert(conn, &row)) {
                    Err(e) if db::is_unique_violation(&e) => return Err(already_enrolled()),
                    other => other?,
                }
                record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &client.address,
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
    Ok(device)
}

/// 409 `device_already_enrolled`: this key is enrolled already.
fn already_enrolled() -> ApiError {
    ApiError::of(ErrorCode::DeviceAlreadyEnrolled)
}

/// 409 `device_limit_reached`: the account has as many devices as it may.
fn device_limit_reached() -> ApiError {
    ApiError::of(ErrorCode::DeviceLimitReached)
}
