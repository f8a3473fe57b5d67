use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{region_not_found, viewer_of};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::portal,
    domain::email::mask,
    error::{ApiError, ErrorCode, Problem},
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
    let region_code = code.into_inner();
    let conflict = ctx
        .db
        .run(move |conn| {
            if !crate::db::reference::Region::exists(conn, &region_code)? {
                return Err(region_not_found());
            }
            let (account, viewer) = viewer_of(conn, &auth)?;
            match portal::regional_file_email(conn, &viewer, &region_code)? {
                Some(file_email) if !file_email.eq_ignore_ascii_case(&account.email) => {
                    Ok(EmailConflict {
                        comptexpert_email_masked: mask(&account.email),
                        file_email_masked: mask(&file_email.to_lowercase()),
                    })
                }
                _ => Err(no_conflict()),
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(conflict))
}

/// 404 when the addresses agree (or there is no regional file).
pub fn no_conflict() -> ApiError {
    ApiError::of(ErrorCode::NoEmailConflict)
}
