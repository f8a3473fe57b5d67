use actix_web::{delete, web, HttpResponse};

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{signexpert::remove_certificate::remove_certificate, Client},
};

/// Remove a certificate from the signed-in account: it no longer signs in to it by fingerprint
/// (it may still sign in to the account of the SUPRA number it carries). Another account's
/// certificate is 404. Recorded (`certificate_removed`) and notified by email.
#[utoipa::path(
    operation_id = "remove_certificate",
    tag = "signexpert",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Certificate id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/me/certificates/{id}")]
pub async fn remove(
    ctx: web::Data<ApiContext>,
    client: Client,
    auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    remove_certificate(&ctx, &auth, id.into_inner(), client).await?;
    Ok(HttpResponse::NoContent().finish())
}
