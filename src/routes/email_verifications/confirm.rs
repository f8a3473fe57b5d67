use actix_web::{post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::accounts::confirm_email_change::confirm_email_change,
};

/// The address now in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailConfirmed {
    /// Always `email_changed`.
    #[schema(example = "email_changed")]
    pub status: &'static str,
    #[schema(example = "marie.durand@nouveau-cabinet.fr")]
    pub email: String,
}

/// Confirm a new email address with the token of the link sent to it. Works once.
#[utoipa::path(
    operation_id = "confirm_email_change",
    tag = "account",
    params(("token" = String, Path, description = "The token from the emailed link")),
    responses(
        (status = 200, description = "The account now uses the new address", body = EmailConfirmed),
        (status = 410, description = "`link_invalid`: unknown, used or expired", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/email-verifications/{token}")]
pub async fn confirm(
    ctx: web::Data<ApiContext>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let email = confirm_email_change(&ctx, token.into_inner()).await?;
    Ok(HttpResponse::Ok().json(EmailConfirmed {
        status: "email_changed",
        email,
    }))
}
