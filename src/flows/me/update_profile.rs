//! Editing one's profile ("Modifier mon profil"): contact details and consent for everyone;
//! civility, names and birth year only for "Autre profil" accounts, since a member's come from
//! the register and are changed there.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        security_events::{NewEvent, SecurityEvent},
    },
    domain::{person, states::SecurityEventKind},
    error::{ApiError, FieldIssue},
    i18n::Text,
};

/// The fields to change; `None` leaves a field as it is. An empty phone removes it.
#[derive(Debug, Default, Clone)]
pub struct ProfileChanges {
    pub civility: Option<String>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub birth_year: Option<i32>,
    pub accepts_communications: Option<bool>,
}

/// Applies `changes` to the caller's account, recorded in its security history, and returns the
/// account as stored. Refused with `validation_failed` listing every field at fault, a member's
/// register fields as `managed_by_register`; nothing is written then.
pub async fn update_profile(
    ctx: &ApiContext,
    auth: &Authenticated,
    changes: ProfileChanges,
) -> Result<Account, ApiError> {
    let account_id = auth.account_id.clone();
    let session_id = auth.session_id.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let account = Account::find(conn, &account_id)?.ok_or_else(ApiError::not_found)?;
                let changed = apply(&account, changes).map_err(ApiError::validation)?;
                Account::update_profile(conn, &changed, now)?;
                touched.account(&account.id);
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind: SecurityEventKind::ProfileUpdated,
                        method: None,
                        client_address: None,
                        session_id: Some(&session_id),
                    },
                    now,
                )?;
                Ok(Account {
                    updated_at: now,
                    ..changed
                })
            })
        })
        .await
}

/// `account` with `changes` applied, or every field at fault.
fn apply(account: &Account, changes: ProfileChanges) -> Result<Account, Vec<FieldIssue>> {
    let mut changed = account.clone();
    let mut issues = Vec::new();
    let is_member = account.member_id.is_some();
    let civility = register_field(is_member, &mut issues, "civility", changes.civility);
    let last_name = register_field(is_member, &mut issues, "last_name", changes.last_name);
    let first_name = register_field(is_member, &mut issues, "first_name", changes.first_name);
    let birth_year = register_field(is_member, &mut issues, "birth_year", changes.birth_year);

    let mut take = |result: Result<(), FieldIssue>| {
        if let Err(issue) = result {
            issues.push(issue);
        }
    };
    if let Some(civility) = civility {
        take(person::parse_civility(&civility).map(|c| changed.civility = c.to_owned()));
    }
    if let Some(last_name) = last_name {
        take(person::parse_text(&last_name, "last_name", 100).map(|v| changed.last_name = v));
    }
    if let Some(first_name) = first_name {
        take(person::parse_text(&first_name, "first_name", 100).map(|v| changed.first_name = v));
    }
    if let Some(year) = birth_year {
        take(person::parse_birth_year(year).map(|v| changed.birth_year = Some(v)));
    }
    if let Some(phone) = changes.phone.as_deref() {
        if phone.trim().is_empty() {
            changed.phone = None;
        } else {
            take(person::parse_phone(phone).map(|v| changed.phone = Some(v)));
        }
    }
    if let Some(address) = changes.address.as_deref() {
        take(person::parse_text(address, "address", 200).map(|v| changed.address = Some(v)));
    }
    if let Some(city) = changes.city.as_deref() {
        take(person::parse_text(city, "city", 100).map(|v| changed.city = Some(v)));
    }
    if let Some(postal_code) = changes.postal_code.as_deref() {
        take(
            person::parse_postal_code(postal_code, "postal_code")
                .map(|v| changed.postal_code = Some(v)),
        );
    }
    if let Some(accepts) = changes.accepts_communications {
        changed.accepts_communications = accepts;
    }
    if issues.is_empty() {
        Ok(changed)
    } else {
        Err(issues)
    }
}

/// A field that comes from the register: refused for a member when present (and then not
/// edited), passed through otherwise.
fn register_field<T>(
    is_member: bool,
    issues: &mut Vec<FieldIssue>,
    field: &str,
    value: Option<T>,
) -> Option<T> {
    if is_member && value.is_some() {
        issues.push(FieldIssue::new(
            field,
            "managed_by_register",
            Text::new(
                "Ce champ provient du tableau de l'Ordre et ne se modifie pas ici.",
                "This field comes from the Ordre's register and cannot be changed here.",
            ),
        ));
        return None;
    }
    value
}
