//! Removing a certificate from the signed-in account: it no longer signs in to it by fingerprint
//! (it may still sign in to the account of the SUPRA number it carries). Recorded
//! (`certificate_removed`) and notified by email.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::signexpert_certificates::SignexpertCertificate,
    domain::states::SecurityEventKind,
    error::ApiError,
    flows::{
        me::notify::{change_sign_in_method, Notice},
        Client,
    },
};

/// Removes the caller's certificate `certificate_id`; another account's certificate is 404,
/// like one that does not exist.
pub async fn remove_certificate(
    ctx: &ApiContext,
    auth: &Authenticated,
    certificate_id: String,
    client: Client,
) -> Result<(), ApiError> {
    let kind = SecurityEventKind::CertificateRemoved;
    change_sign_in_method(ctx, auth, client, kind, move |conn, account| {
        let certificate = SignexpertCertificate::delete_owned(conn, &account.id, &certificate_id)?
            .ok_or_else(ApiError::not_found)?;
        let notice = Notice {
            fr: format!(
                "Le certificat « {} » a été retiré de votre compte.",
                certificate.subject
            ),
            en: format!(
                "The certificate \"{}\" was removed from your account.",
                certificate.subject
            ),
        };
        Ok(((), notice))
    })
    .await
}
