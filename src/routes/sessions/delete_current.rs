use actix_web::{delete, web, HttpResponse};

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{sessions::sign_out, Client},
};

/// Sign out ("Déconnexion"): closes this session. Its refresh token stops working at once and
/// its access tokens are refused from the next request.
#[utoipa::path(
    operation_id = "sign_out",
    tag = "sessions",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sessions/current")]
pub async fn delete_current(
    ctx: web::Data<ApiContext>,
    client: Client,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    sign_out::sign_out(&ctx, &auth, client).await?;
    Ok(HttpResponse::NoContent().finish())
}
