use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::routes::sessions::TokenResponse;
use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::sessions::refresh as flow,
};

/// A refresh token to exchange.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The latest refresh token of the session.
    pub refresh_token: String,
}

/// Exchange a refresh token for a new access token and a new refresh token (rotation: each
/// refresh token works once). Presenting an already-exchanged token revokes the whole session
/// (theft detection); of two simultaneous exchanges of one token, exactly one succeeds.
#[utoipa::path(
    operation_id = "refresh_session",
    tag = "sessions",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 401, description = "`invalid_refresh_token`: unknown, used, expired, or its session is closed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/refresh")]
pub async fn refresh(
    ctx: web::Data<ApiContext>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = flow::refresh(&ctx, body.into_inner().refresh_token).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}
