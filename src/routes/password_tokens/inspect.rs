use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::recovery::inspect_link::inspect_link,
};

/// What the link is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordTokenInfo {
    /// `activation` (first password of a new account) or `reset` (lost password).
    #[schema(example = "activation")]
    pub purpose: String,
    /// The identifier the password will belong to, shown on the form.
    #[schema(example = "mdurand")]
    pub identifier: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Whether a password link is still valid. Reading it does not spend it (mail scanners open
/// links before people do).
#[utoipa::path(
    operation_id = "inspect_password_token",
    tag = "registration",
    params(("token" = String, Path, description = "The token from the emailed link")),
    responses(
        (status = 200, description = "The link is valid", body = PasswordTokenInfo),
        (status = 410, description = "`link_invalid`: unknown, used or expired", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/password-tokens/{token}")]
pub async fn inspect(
    ctx: web::Data<ApiContext>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let link = inspect_link(&ctx, token.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PasswordTokenInfo {
        purpose: link.purpose,
        identifier: link.identifier,
        expires_at: link.expires_at.and_utc(),
    }))
}
