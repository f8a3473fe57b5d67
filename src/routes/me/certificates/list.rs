use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::CertificateView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::signexpert::list_certificates::list_certificates,
};

/// The account's Signexpert certificates.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateList {
    /// Oldest enrolment first.
    pub items: Vec<CertificateView>,
}

/// List the certificates enrolled on the signed-in account. (A certificate can also sign in
/// without enrolment, through the SUPRA number it carries; such certificates are not listed.)
#[utoipa::path(
    operation_id = "list_certificates",
    tag = "signexpert",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Enrolled certificates", body = CertificateList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/certificates")]
pub async fn list(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let certificates = list_certificates(&ctx, &auth).await?;
    Ok(HttpResponse::Ok().json(CertificateList {
        items: certificates
            .into_iter()
            .map(CertificateView::from)
            .collect(),
    }))
}
