//! Expertpass devices: the mobile apps whose Ed25519 key may approve sign-ins to an account.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::expertpass_devices, DbConnection};

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

    /// Inserts a device; a key already enrolled anywhere is a unique violation.
    pub fn insert(conn: &mut DbConnection, device: &ExpertpassDevice) -> QueryResult<()> {
        diesel::insert_into(expertpass_devices::table)
            .values(device)
            .execute(conn)
            .map(|_| ())
    }

    /// One device by id, whoever owns it.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        expertpass_devices::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The account's devices, oldest first.
    pub fn list(conn: &mut DbConnection, account_id: &str) -> QueryResult<Vec<Self>> {
        expertpass_devices::table
            .filter(expertpass_devices::account_id.eq(account_id))
            .order((expertpass_devices::created_at, expertpass_devices::id))
            .select(Self::as_select())
            .load(conn)
    }

    /// How many devices the account has.
    pub fn count(conn: &mut DbConnection, account_id: &str) -> QueryResult<i64> {
        expertpass_devices::table
            .filter(expertpass_devices::account_id.eq(account_id))
            .count()
            .get_result(conn)
    }

    /// Removes one of the account's devices and returns it; `None` when it is not one of them.
    pub fn delete_owned(
        conn: &mut DbConnection,
        account_id: &str,
        id: &str,
    ) -> QueryResult<Option<Self>> {
        let device = expertpass_devices::table
            .find(id)
            .filter(expertpass_devices::account_id.eq(account_id))
            .select(Self::as_select())
            .first(conn)
            .optional()?;
        if device.is_some() {
            diesel::delete(expertpass_devices::table.find(id)).execute(conn)?;
        }
        Ok(device)
    }

    /// Records that the device just signed a decision.
    pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(expertpass_devices::table.find(id))
            .set(expertpass_devices::last_used_at.eq(now))
            .execute(conn)
            .map(|_| ())
    }
}
