//! Removing a certificate from the signed-in account: it no longer signs in to it by fingerprint
//! (it may still sign in to the account of the SUPRA number it carries). Recorded
//! (`certificate_removed`) and notified by email.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{self, accounts::Account, signexpert_certificates::SignexpertCertificate},
    domain::states::SecurityEventKind,
    error::ApiError,
    flows::{me::notify::record_and_notify, Client},
};

/// Removes the caller's certificate `certificate_id`; another account's certificate is 404,
/// like one that does not exist.
pub async fn remove_certificate(
    ctx: &ApiContext,
    auth: &Authenticated,
    certificate_id: String,
    client: Client,
) -> Result<(), ApiError> {
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let certificate =
                    SignexpertCertificate::delete_owned(conn, &auth.account_id, &certificate_id)?
                        .ok_or_else(ApiError::not_found)?;
                let account =
                    Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &client.address,
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
        .await
}
