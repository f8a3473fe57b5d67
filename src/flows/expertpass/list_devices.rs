//! The signed-in account's Expertpass devices.

use crate::{
    auth::extractor::Authenticated, context::ApiContext, db::expertpass_devices::ExpertpassDevice,
    error::ApiError,
};

/// The caller's enrolled devices, oldest enrolment first.
pub async fn list_devices(
    ctx: &ApiContext,
    auth: &Authenticated,
) -> Result<Vec<ExpertpassDevice>, ApiError> {
    let account_id = auth.account_id.clone();
    ctx.db
        .run(move |conn| Ok(ExpertpassDevice::list(conn, &account_id)?))
        .await
}
