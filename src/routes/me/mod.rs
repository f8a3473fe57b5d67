//! The signed-in account: profile, password, email, sessions, security history.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    db::{
        self,
        accounts::Account,
        security_events::{NewEvent, SecurityEvent},
        DbConnection,
    },
    mail::{outbox, templates::Template},
};

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

/// A change to the account's sign-in methods, made by its signed-in owner: recorded in the
/// security history (`event_kind`) and told to the owner by email, in the caller's transaction.
pub fn record_and_notify(
    conn: &mut DbConnection,
    account: &Account,
    auth: &Authenticated,
    client_address: &str,
    event_kind: SecurityEventKind,
    event_fr: String,
    event_en: String,
) -> diesel::QueryResult<()> {
    SecurityEvent::record(
        conn,
        NewEvent {
            account_id: &account.id,
            kind: event_kind,
            method: None,
            client_address: Some(client_address),
            session_id: Some(&auth.session_id),
        },
        db::now(),
    )?;
    outbox::enqueue(
        conn,
        &account.email,
        &Template::SecurityNotice {
            greeting_name: account.greeting_name(),
            event_fr,
            event_en,
        },
    )
}

pub mod certificates;
pub mod change_password;
pub mod devices;
pub mod get_profile;
pub mod request_email_change;
pub mod security_events;
pub mod sessions;
pub mod update_profile;
