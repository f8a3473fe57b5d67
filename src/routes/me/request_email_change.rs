use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::me::request_email_change as flow,
};

/// The new address, confirmed by the current password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailChangeRequest {
    #[schema(example = "marie.durand@nouveau-cabinet.fr")]
    pub new_email: String,
    pub current_password: String,
}

/// The verification link is on its way to the new address.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangePending {
    /// Always `verification_sent`.
    #[schema(example = "verification_sent")]
    pub status: &'static str,
    /// The new address, masked.
    #[schema(example = "m…@nouveau-cabinet.fr")]
    pub new_email_masked: String,
}

/// Change one's email ("Changer mon email"): a verification link goes to the new address and a
/// notice to the current one; the change applies when the link is opened
/// (`POST /v1/email-verifications/{token}`).
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = EmailChangeRequest,
    responses(
        (status = 202, description = "Verification sent to the new address", body = EmailChangePending),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`current_password_incorrect`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: invalid or unchanged address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/email-change")]
pub async fn request_email_change(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    body: web::Json<EmailChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let EmailChangeRequest {
        new_email,
        current_password,
    } = body.into_inner();
    let new_email_masked =
        flow::request_email_change(&ctx, &auth, &new_email, current_password).await?;
    Ok(HttpResponse::Accepted().json(EmailChangePending {
        status: "verification_sent",
        new_email_masked,
    }))
}
