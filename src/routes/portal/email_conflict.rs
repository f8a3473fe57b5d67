use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    domain::email::mask,
    error::{ApiError, Problem},
    flows::regions as flow,
};

/// The two addresses, masked as in the guide.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailConflict {
    /// The ComptExpert account's address.
    #[schema(example = "j…@cabinet.fr")]
    pub comptexpert_email_masked: String,
    /// The address of the regional file.
    #[schema(example = "j…@ancien-cabinet.fr")]
    pub file_email_masked: String,
}

/// Whether the account's email differs from the regional file's (guide 4.3). While it does, the
/// region's other portal endpoints answer 409 `email_conflict`.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code")),
    responses(
        (status = 200, description = "The addresses differ: choose one with PUT …/email-choice", body = EmailConflict),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`no_email_conflict`, or `region_not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/portal/regions/{code}/email-conflict")]
pub async fn email_conflict(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let conflict = flow::email_conflict(&ctx, &auth, code.into_inner()).await?;
    Ok(HttpResponse::Ok().json(EmailConflict {
        comptexpert_email_masked: mask(&conflict.account_email),
        file_email_masked: mask(&conflict.file_email),
    }))
}
