use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{recovery::request_recovery::request_recovery, Client},
};

/// The address the account uses.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecoveryRequest {
    #[schema(example = "marie.durand@cabinet-durand.fr")]
    pub email: String,
}

/// Always the same answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryAccepted {
    /// Always `email_sent_if_known`.
    #[schema(example = "email_sent_if_known")]
    pub status: &'static str,
}

/// "Identifiant ou mot de passe oublié": if accounts use this address, an email lists each
/// identifier with a one-time reset link (1 hour). The answer is the same, in the same time,
/// whether or not the address is known: the lookup happens after the answer.
#[utoipa::path(
    operation_id = "request_recovery",
    tag = "sessions",
    request_body = RecoveryRequest,
    responses(
        (status = 202, description = "An email was sent if the address is known", body = RecoveryAccepted),
        (status = 422, description = "`validation_failed`: not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/recovery")]
pub async fn request(
    ctx: web::Data<ApiContext>,
    client: Client,
    body: web::Json<RecoveryRequest>,
) -> Result<HttpResponse, ApiError> {
    request_recovery(&ctx, body.into_inner().email, client).await?;
    Ok(HttpResponse::Accepted().json(RecoveryAccepted {
        status: "email_sent_if_known",
    }))
}
