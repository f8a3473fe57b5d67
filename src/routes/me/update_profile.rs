use actix_web::{patch, web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AccountView;
use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        schema::accounts,
        security_events::{NewEvent, SecurityEvent},
    },
    domain::person,
    error::{ApiError, FieldIssue, Problem},
    i18n::Text,
};

/// Profile fields to change; absent fields stay as they are. The identifier never changes and the
/// email changes through `POST /v1/me/email-change`. Members' civility and names come from the
/// register and are changed there.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    /// `M` or `MME` ("Autre profil" accounts only).
    pub civility: Option<String>,
    /// ("Autre profil" accounts only.)
    pub last_name: Option<String>,
    /// ("Autre profil" accounts only.)
    pub first_name: Option<String>,
    /// 10 digits or an international number; an empty string removes it.
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    /// 5 digits.
    pub postal_code: Option<String>,
    /// ("Autre profil" accounts only.)
    pub birth_year: Option<i32>,
    pub accepts_communications: Option<bool>,
}

/// Edit one's profile ("Modifier mon profil").
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "The updated profile", body = AccountView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (including `managed_by_register` for a member's names), or `invalid_body` for an unknown field such as `identifier`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/me")]
pub async fn update_profile(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    body: web::Json<UpdateProfileRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let account = ctx
        .db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let account = Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                let mut changed = account.clone();
                let mut issues = Vec::new();
                let is_member = account.member_id.is_some();
                let mut register_field = |field: &str, present: bool| {
                    if is_member && present {
                        issues.push(FieldIssue::new(
                            field,
                            "managed_by_register",
                            Text::new(
                                "Ce champ provient du tableau de l'Ordre et ne se modifie pas ici.",
                                "This field comes from the Ordre's register and cannot be changed here.",
                            ),
                        ));
                        false
                    } else {
                        present
                    }
                };
                let edit_civility = register_field("civility", request.civility.is_some());
                let edit_last = register_field("last_name", request.last_name.is_some());
                let edit_first = register_field("first_name", request.first_name.is_some());
                let edit_birth = register_field("birth_year", request.birth_year.is_some());
                let mut apply = |result: Result<(), FieldIssue>| {
                    if let Err(issue) = result {
                        issues.push(issue);
                    }
                };
                if edit_civility {
                    apply(person::parse_civility(request.civility.as_deref().unwrap_or_default()).map(|c| changed.civility = c.to_owned()));
                }
                if edit_last {
                    apply(person::parse_text(request.last_name.as_deref().unwrap_or_default(), "last_name", 100).map(|v| changed.last_name = v));
                }
                if edit_first {
                    apply(person::parse_text(request.first_name.as_deref().unwrap_or_default(), "first_name", 100).map(|v| changed.first_name = v));
                }
                if edit_birth {
                    apply(person::parse_birth_year(request.birth_year.unwrap_or_default()).map(|v| changed.birth_year = Some(v)));
                }
                if let Some(phone) = request.phone.as_deref() {
                    if phone.trim().is_empty() {
                        changed.phone = None;
                    } else {
                        apply(person::parse_phone(phone).map(|v| changed.phone = Some(v)));
                    }
                }
                if let Some(address) = request.address.as_deref() {
                    apply(person::parse_text(address, "address", 200).map(|v| changed.address = Some(v)));
                }
                if let Some(city) = request.city.as_deref() {
                    apply(person::parse_text(city, "city", 100).map(|v| changed.city = Some(v)));
                }
                if let Some(postal_code) = request.postal_code.as_deref() {
                    apply(person::parse_postal_code(postal_code, "postal_code").map(|v| changed.postal_code = Some(v)));
                }
                if let Some(accepts) = request.accepts_communications {
                    changed.accepts_communications = accepts;
                }
                if !issues.is_empty() {
                    return Err(ApiError::validation(issues));
                }
                let now = db::now();
                diesel::update(accounts::table.find(&account.id))
                    .set((
                        accounts::civility.eq(&changed.civility),
                        accounts::last_name.eq(&changed.last_name),
                        accounts::first_name.eq(&changed.first_name),
                        accounts::phone.eq(&changed.phone),
                        accounts::address.eq(&changed.address),
                        accounts::city.eq(&changed.city),
                        accounts::postal_code.eq(&changed.postal_code),
                        accounts::birth_year.eq(changed.birth_year),
                        accounts::accepts_communications.eq(changed.accepts_communications),
                        accounts::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                SecurityEvent::record(
                    conn,
                    NewEvent { account_id: &account.id, kind: SecurityEventKind::ProfileUpdated, method: None, client_address: None, session_id: Some(&auth.session_id) },
                    now,
                )?;
                Ok(Account { updated_at: now, ..changed })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}
