use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::recovery::set_password::{set_password as set_new_password, NewPassword},
};

/// The new password, twice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPasswordRequest {
    /// At least 6 characters (or the configured minimum), with a digit and a special character,
    /// not containing the identifier.
    #[schema(example = "Cabinet-2026!")]
    pub password: String,
    /// The same password again.
    #[schema(example = "Cabinet-2026!")]
    pub password_confirmation: String,
}

/// Set the password through an emailed link: activates a pending account (activation) or
/// replaces a forgotten password (reset). The link works once.
#[utoipa::path(
    tag = "registration",
    params(("token" = String, Path, description = "The token from the emailed link")),
    request_body = SetPasswordRequest,
    responses(
        (status = 204, description = "Password set; the account is active"),
        (status = 410, description = "`link_invalid`: unknown, used or expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password_policy`: every rule broken is listed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/password-tokens/{token}")]
pub async fn set_password(
    ctx: web::Data<ApiContext>,
    token: web::Path<String>,
    body: web::Json<SetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let SetPasswordRequest {
        password,
        password_confirmation,
    } = body.into_inner();
    let new = NewPassword {
        password,
        confirmation: password_confirmation,
    };
    set_new_password(&ctx, token.into_inner(), new).await?;
    Ok(HttpResponse::NoContent().finish())
}
