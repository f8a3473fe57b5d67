use actix_web::{put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    domain::password::NewPassword,
    error::{ApiError, Problem},
    flows::{me::change_password as flow, Client},
};

/// The current password and the new one, twice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// Same policy as at registration.
    pub new_password: String,
    pub new_password_confirmation: String,
}

/// Change one's password ("Changer mot de passe"). Every other session is signed out and a notice
/// goes to the account's address. Wrong current passwords count towards the identifier's lock.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed; other sessions revoked"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`current_password_incorrect`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password_policy`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many wrong passwords", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/me/password")]
pub async fn change_password(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    client: Client,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
        new_password_confirmation,
    } = body.into_inner();
    let new = NewPassword {
        password: new_password,
        confirmation: new_password_confirmation,
    };
    flow::change_password(&ctx, &auth, client, current_password, new).await?;
    Ok(HttpResponse::NoContent().finish())
}
