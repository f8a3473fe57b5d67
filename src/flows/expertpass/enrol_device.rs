//! Enrolling the signed-in account's Expertpass device (the mobile app, by its Ed25519 public
//! key): it can then approve sign-ins to this account. Recorded (`device_enrolled`) and notified
//! by email.

use crate::{
    auth::{encoding, expertpass, extractor::Authenticated},
    context::ApiContext,
    db::expertpass_devices::ExpertpassDevice,
    domain::states::SecurityEventKind,
    error::{ApiError, ErrorCode, FieldIssue},
    flows::{
        me::notify::{change_sign_in_method, enrolled, Notice},
        Client,
    },
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
    let (kind, limit, taken) = (
        SecurityEventKind::DeviceEnrolled,
        ErrorCode::DeviceLimitReached,
        ErrorCode::DeviceAlreadyEnrolled,
    );
    change_sign_in_method(
        ctx,
        auth,
        client,
        kind,
        move |conn, _| {
            enrolled(ExpertpassDevice::enrol(conn, &device)?, limit, taken)?;
            let notice = Notice {
                fr: format!(
                    "L'appareil Expertpass « {} » a été associé à votre compte : il peut désormais valider vos connexions.",
                    device.name
                ),
                en: format!(
                    "The Expertpass device \"{}\" was enrolled on your account: it can now approve your sign-ins.",
                    device.name
                ),
            };
            Ok((device, notice))
        },
    )
    .await
}
