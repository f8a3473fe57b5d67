//! Removing one of the account's Expertpass devices: it can no longer approve sign-ins (sessions
//! it approved stay open). Recorded (`device_removed`) and notified by email.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::expertpass_devices::ExpertpassDevice,
    domain::states::SecurityEventKind,
    error::ApiError,
    flows::{
        me::notify::{change_sign_in_method, Notice},
        Client,
    },
};

/// Removes the caller's device `device_id`; another account's device is 404, like one that does
/// not exist.
pub async fn remove_device(
    ctx: &ApiContext,
    auth: &Authenticated,
    device_id: String,
    client: Client,
) -> Result<(), ApiError> {
    let kind = SecurityEventKind::DeviceRemoved;
    change_sign_in_method(ctx, auth, client, kind, move |conn, account| {
        let device = ExpertpassDevice::delete_owned(conn, &account.id, &device_id)?
            .ok_or_else(ApiError::not_found)?;
        let notice = Notice {
            fr: format!(
                "L'appareil Expertpass « {} » a été retiré de votre compte.",
                device.name
            ),
            en: format!(
                "The Expertpass device \"{}\" was removed from your account.",
                device.name
            ),
        };
        Ok(((), notice))
    })
    .await
}
