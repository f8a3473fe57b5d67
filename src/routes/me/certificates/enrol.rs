use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::CertificateView;
use crate::{
    auth::{
        extractor::Authenticated,
        signexpert::{proof::CertificateProof, SignatureAlgorithm},
    },
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{signexpert::enrol_certificate::enrol_certificate, Client},
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
    client: Client,
    auth: Authenticated,
    body: web::Json<EnrolCertificateRequest>,
) -> Result<HttpResponse, ApiError> {
    let EnrolCertificateRequest {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
    } = body.into_inner();
    let proof = CertificateProof {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
    };
    let certificate = enrol_certificate(&ctx, &auth, proof, client).await?;
    Ok(HttpResponse::Created().json(CertificateView::from(certificate)))
}
