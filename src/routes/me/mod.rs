//! The signed-in account: profile, password, email, sessions, security history.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::accounts::Account;

/// A ComptExpert account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    /// Account id (the `sub` of access tokens).
    pub id: String,
    /// The identifier used to sign in; never changes.
    #[schema(example = "mdurand")]
    pub identifier: String,
    #[schema(example = "marie.durand@cabinet-durand.fr")]
    pub email: String,
    /// Qualité code (see `GET /v1/qualities`).
    #[schema(example = "expert_comptable_independant")]
    pub quality: String,
    /// `M` or `MME`.
    pub civility: String,
    pub last_name: String,
    pub first_name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub birth_year: Option<i32>,
    pub accepts_communications: bool,
    /// True for members of the register; false for "Autre profil" accounts.
    pub is_member: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.clone(),
            identifier: account.identifier.clone(),
            email: account.email.clone(),
            quality: account.quality_code.clone(),
            civility: account.civility.clone(),
            last_name: account.last_name.clone(),
            first_name: account.first_name.clone(),
            phone: account.phone.clone(),
            address: account.address.clone(),
            city: account.city.clone(),
            postal_code: account.postal_code.clone(),
            birth_year: account.birth_year,
            accepts_communications: account.accepts_communications,
            is_member: account.member_id.is_some(),
            created_at: account.created_at.and_utc(),
        }
    }
}

pub mod certificates;
pub mod change_password;
pub mod devices;
pub mod get_profile;
pub mod request_email_change;
pub mod security_events;
pub mod sessions;
pub mod update_profile;
