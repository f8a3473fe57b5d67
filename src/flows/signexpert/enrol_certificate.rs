//! Enrolling a Signexpert certificate on the signed-in account, with the same proof as a sign-in
//! (a valid chain and a signed challenge: nobody enrols a certificate whose private key they do
//! not hold). Sign-ins with it then open this account, whatever SUPRA number it carries.
//! Recorded (`certificate_enrolled`) and notified by email.

use diesel::Connection;

use crate::{
    auth::{
        extractor::Authenticated,
        signexpert::proof::{self, CertificateProof},
    },
    context::ApiContext,
    db::{self, accounts::Account, signexpert_certificates::SignexpertCertificate},
    domain::states::SecurityEventKind,
    error::{ApiError, ErrorCode},
    // The security notice of a sign-in method's change is one rule for devices and certificates.
    flows::{me::notify::record_and_notify, Client},
    limits,
};

/// Enrols the certificate `proof` proves on the caller's account; returns it as stored (by its
/// SHA-256 fingerprint). 409 `certificate_already_enrolled` (on this or another account),
/// `certificate_limit_reached` past [`SignexpertCertificate::MAX_PER_ACCOUNT`].
pub async fn enrol_certificate(
    ctx: &ApiContext,
    auth: &Authenticated,
    proof: CertificateProof,
    client: Client,
) -> Result<SignexpertCertificate, ApiError> {
    proof::trust_store(ctx)?;
    limits::enforce(ctx, limits::SIGNEXPERT_PROOF_PER_CLIENT, &client.address).await?;
    let identity = proof::verify(ctx, proof).await?;
    let certificate = SignexpertCertificate {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: auth.account_id.clone(),
        fingerprint: identity.fingerprint,
        subject: identity.subject,
        issuer: identity.issuer,
        serial_number: identity.serial_number,
        not_after: identity.not_after,
        created_at: ctx.clock.now(),
        last_used_at: None,
    };
    let row = certificate.clone();
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let account =
                    Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                if SignexpertCertificate::count(conn, &account.id)?
                    >= SignexpertCertificate::MAX_PER_ACCOUNT
                {
                    return Err(certificate_limit_reached());
                }
                // In a savepoint: on PostgreSQL a failed statement would abort the transaction.
                match conn.transaction(|conn| SignexpertCertificate::insert(conn, &row)) {
                    Err(e) if db::is_unique_violation(&e) => return Err(already_enrolled()),
                    other => other?,
                }
                record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &client.address,
                    SecurityEventKind::CertificateEnrolled,
                    format!(
                        "Le certificat « {} » a été associé à votre compte : il permet désormais de vous connecter avec Signexpert.",
                        row.subject
                    ),
                    format!(
                        "The certificate \"{}\" was enrolled on your account: it can now sign you in with Signexpert.",
                        row.subject
                    ),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(certificate)
}

/// 409 `certificate_already_enrolled`: on this or another account.
fn already_enrolled() -> ApiError {
    ApiError::of(ErrorCode::CertificateAlreadyEnrolled)
}

/// 409 `certificate_limit_reached`: the account has as many certificates as it may.
fn certificate_limit_reached() -> ApiError {
    ApiError::of(ErrorCode::CertificateLimitReached)
}
