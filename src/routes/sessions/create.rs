use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{invalid_credentials, TokenResponse};
use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        sessions::sign_in::{self, Credentials, SignIn},
        Client,
    },
};

/// Identifier and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignInRequest {
    /// The ComptExpert identifier (not the email).
    #[schema(example = "mdurand")]
    pub identifier: String,
    #[schema(example = "Demo-2026!")]
    pub password: String,
    /// "Garder ma session active": the refresh token lives 30 days instead of 12 hours.
    #[serde(default)]
    pub keep_session_active: bool,
}

/// Sign in with identifier and password. Unknown identifier, wrong password and account not yet
/// activated all get the same `invalid_credentials` answer in the same time. Repeated failures
/// on an identifier lock it for a growing delay (`rate_limited` with `Retry-After`).
#[utoipa::path(
    operation_id = "sign_in",
    tag = "sessions",
    request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in", body = TokenResponse),
        (status = 401, description = "`invalid_credentials`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: empty identifier or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many failures on this identifier, or too many sign-ins from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions")]
pub async fn create(
    ctx: web::Data<ApiContext>,
    client: Client,
    body: web::Json<SignInRequest>,
) -> Result<HttpResponse, ApiError> {
    let SignInRequest {
        identifier,
        password,
        keep_session_active,
    } = body.into_inner();
    let credentials = Credentials {
        identifier,
        password,
        keep_session_active,
    };
    match sign_in::sign_in(&ctx, credentials, client).await? {
        SignIn::SignedIn(signed_in) => {
            Ok(HttpResponse::Created().json(TokenResponse::from(*signed_in)))
        }
        SignIn::Denied => Err(invalid_credentials()),
        SignIn::Locked {
            retry_after_seconds,
        } => Err(ApiError::rate_limited(retry_after_seconds)),
    }
}
