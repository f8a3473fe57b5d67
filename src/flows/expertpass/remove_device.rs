//! Removing one of the account's Expertpass devices: it can no longer approve sign-ins (sessions
//! it approved stay open). Recorded (`device_removed`) and notified by email.

use crate::flows::me::notify::record_and_notify;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{self, accounts::Account, expertpass_devices::ExpertpassDevice},
    domain::states::SecurityEventKind,
    error::ApiError,
    flows::Client,
};

/// Removes the caller's device `device_id`; another account's device is 404, like one that does
/// not exist.
pub async fn remove_device(
    ctx: &ApiContext,
    auth: &Authenticated,
    device_id: String,
    client: Client,
) -> Result<(), ApiError> {
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let device = ExpertpassDevice::delete_owned(conn, &auth.account_id, &device_id)?
                    .ok_or_else(ApiError::not_found)?;
                let account =
                    Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &client.address,
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
        .await
}
