//! The account's Expertpass devices: enrol, list, remove.

pub mod enrol;
pub mod list;
pub mod remove;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::expertpass_devices::ExpertpassDevice;

/// An enrolled Expertpass device.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceView {
    /// The `device_id` the app sends with each decision.
    pub id: String,
    #[schema(example = "iPhone de Marie")]
    pub name: String,
    /// Its Ed25519 public key, base64url without padding.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
    /// Last decision it signed.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ExpertpassDevice> for DeviceView {
    fn from(device: ExpertpassDevice) -> Self {
        Self {
            id: device.id,
            name: device.name,
            public_key: device.public_key,
            created_at: device.created_at.and_utc(),
            last_used_at: device.last_used_at.map(|t| t.and_utc()),
        }
    }
}
