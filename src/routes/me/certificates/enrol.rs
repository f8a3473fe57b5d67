use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel::Connection;
use serde::Deserialize;
use utoipa::ToSchema;

use super::CertificateView;
use crate::domain::states::SecurityEventKind;
use crate::{
    auth::{
        extractor::Authenticated,
        signexpert::{
            proof::{self, CertificateProof},
            SignatureAlgorithm,
        },
    },
    context::ApiContext,
    db::{self, accounts::Account, signexpert_certificates::SignexpertCertificate},
    error::{ApiError, ErrorCode, Problem},
    limits,
};

/// A certificate to enrol, proven by a signed Signexpert challenge.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrolCertificateRequest {
    /// From `POST /v1/signexpert/challenges`; used up by this request.
    pub challenge_id: String,
    /// The certificate chain, PEM, the certificate to enrol first (as for sign-in).
    pub certificate_chain_pem: String,
    /// The signature of the challenge's `message_to_sign` with the certificate's private key,
    /// base64.
    pub signature: String,
    /// How the signature was made; tried by key type when absent.
    #[serde(default)]
    pub signature_algorithm: Option<SignatureAlgorithm>,
}

/// Enrol a Signexpert certificate on the signed-in account: sign-ins with it then open this
/// account, whatever SUPRA number it carries. The certificate is stored by its SHA-256
/// fingerprint. Enrolment takes the same proof as sign-in (a valid chain and a signed challenge),
/// so nobody can enrol a certificate whose private key they do not hold. Recorded
/// (`certificate_enrolled`) and notified by email.
#[utoipa::path(
    operation_id = "enrol_certificate",
    tag = "signexpert",
    security(("bearer" = [])),
    request_body = EnrolCertificateRequest,
    responses(
        (status = 201, description = "Enrolled", body = CertificateView),
        (status = 401, description = "`unauthorized`, or the proof failed: `invalid_challenge`, `certificate_untrusted`, `certificate_expired`, `certificate_not_yet_valid`, `certificate_usage`, `certificate_revoked`, `invalid_signature`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`certificate_already_enrolled` (on this or another account); `certificate_limit_reached`: 10 at most", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` or `invalid_certificate_chain`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`signexpert_unavailable`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/certificates")]
pub async fn enrol(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    auth: Authenticated,
    body: web::Json<EnrolCertificateRequest>,
) -> Result<HttpResponse, ApiError> {
    proof::trust_store(&ctx)?;
    let address = limits::client_address(&req);
    limits::enforce(&ctx, limits::SIGNEXPERT_PROOF_PER_CLIENT, &address).await?;
    let EnrolCertificateRequest {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
    } = body.into_inner();
    let identity = proof::verify(
        &ctx,
        CertificateProof {
            challenge_id,
            certificate_chain_pem,
            signature,
            signature_algorithm,
        },
    )
    .await?;
    let certificate = SignexpertCertificate {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: auth.account_id.clone(),
        fingerprint: identity.fingerprint,
        subject: identity.subject,
        issuer: identity.issuer,
        serial_number: identity.serial_number,
        not_after: identity.not_after,
        created_at: db::now(),
        last_used_at: None,
    };
    let row = certificate.clone();
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
                crate::routes::me::record_and_notify(
                    conn,
                    &account,
                    &auth,
                    &address,
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
    Ok(HttpResponse::Created().json(CertificateView::from(certificate)))
}

fn already_enrolled() -> ApiError {
    ApiError::of(ErrorCode::CertificateAlreadyEnrolled)
}

fn certificate_limit_reached() -> ApiError {
    ApiError::of(ErrorCode::CertificateLimitReached)
}
