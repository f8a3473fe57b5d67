use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::AccountView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::me::update_profile::{self as flow, ProfileChanges},
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
    let UpdateProfileRequest {
        civility,
        last_name,
        first_name,
        phone,
        address,
        city,
        postal_code,
        birth_year,
        accepts_communications,
    } = body.into_inner();
    let changes = ProfileChanges {
        civility,
        last_name,
        first_name,
        phone,
        address,
        city,
        postal_code,
        birth_year,
        accepts_communications,
    };
    let account = flow::update_profile(&ctx, &auth, changes).await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}
