use actix_web::{delete, web, HttpRequest, HttpResponse};

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{self, accounts::Account, signexpert_certificates::SignexpertCertificate},
    error::{ApiError, Problem},
    limits,
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
    req: HttpRequest,
    auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let address = limits::client_address(&req);
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let certificate = SignexpertCertificate::delete_owned(conn, &auth.account_id, &id)?
                    .ok_or_else(ApiError::not_found)?;
                let account =
                    Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                crate::routes::me::record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &address,
                    SecurityEventKind::CertificateRemoved,
                    format!(
                        "Le certificat « {} » a été retiré de votre compte.",
                        certificate.subject
                    ),
                    format!(
                        "The certificate \"{}\" was removed from your account.",
                        certificate.subject
                    ),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
