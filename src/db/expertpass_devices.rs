//! Expertpass devices: the mobile apps whose Ed25519 key may approve sign-ins to an account.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{credentials::enrolled_credential, schema::expertpass_devices, DbConnection};

/// An enrolled device.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = expertpass_devices)]
pub struct ExpertpassDevice {
    pub id: String,
    pub account_id: String,
    /// The owner's name for it.
    pub name: String,
    /// Ed25519 public key, base64url without padding.
    pub public_key: String,
    pub created_at: NaiveDateTime,
    /// Last approval or denial it signed.
    pub last_used_at: Option<NaiveDateTime>,
}

impl ExpertpassDevice {
    /// Most devices one account may enrol.
    pub const MAX_PER_ACCOUNT: i64 = 10;

    /// One device by id, whoever owns it.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        expertpass_devices::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}

enrolled_credential!(ExpertpassDevice, expertpass_devices, "device");
