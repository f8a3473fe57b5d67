use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    error::ApiError,
    flows::{sessions::sign_out, Client},
};

/// The refresh token of the session to close.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// A refresh token of the session (the latest one, or an earlier one of the same session).
    pub refresh_token: String,
}

/// Sign out with the refresh token alone (RFC 7009 style), for a client whose access token has
/// expired or was never kept, such as the mobile app: closes the whole session the token belongs
/// to. The answer is 204 whether or not the token was known, so that it tells nothing about
/// tokens and a client can sign out again without an error.
#[utoipa::path(
    operation_id = "revoke_session_by_refresh_token",
    tag = "sessions",
    request_body = RevokeRequest,
    responses(
        (status = 204, description = "Signed out, or the token was unknown, expired or already revoked"),
    )
)]
#[post("/sessions/revoke")]
pub async fn revoke(
    ctx: web::Data<ApiContext>,
    client: Client,
    body: web::Json<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    sign_out::sign_out_by_refresh_token(&ctx, body.into_inner().refresh_token, client).await?;
    Ok(HttpResponse::NoContent().finish())
}
