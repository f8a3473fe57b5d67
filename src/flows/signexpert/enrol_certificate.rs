//! Enrolling a Signexpert certificate on the signed-in account, with the same proof as a sign-in
//! (a valid chain and a signed challenge: nobody enrols a certificate whose private key they do
//! not hold). Sign-ins with it then open this account, whatever SUPRA number it carries.
//! Recorded (`certificate_enrolled`) and notified by email.

use crate::{
    auth::{
        extractor::Authenticated,
        signexpert::proof::{self, CertificateProof},
    },
    context::ApiContext,
    db::signexpert_certificates::SignexpertCertificate,
    domain::states::SecurityEventKind,
    error::{ApiError, ErrorCode},
    flows::{
        me::notify::{change_sign_in_method, enrolled, Notice},
        Client,
    },
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
    let (kind, limit, taken) = (
        SecurityEventKind::CertificateEnrolled,
        ErrorCode::CertificateLimitReached,
        ErrorCode::CertificateAlreadyEnrolled,
    );
    change_sign_in_method(
        ctx,
        auth,
        client,
        kind,
        move |conn, _| {
            enrolled(SignexpertCertificate::enrol(conn, &certificate)?, limit, taken)?;
            let notice = Notice {
                fr: format!(
                    "Le certificat « {} » a été associé à votre compte : il permet désormais de vous connecter avec Signexpert.",
                    certificate.subject
                ),
                en: format!(
                    "The certificate \"{}\" was enrolled on your account: it can now sign you in with Signexpert.",
                    certificate.subject
                ),
            };
            Ok((certificate, notice))
        },
    )
    .await
}
