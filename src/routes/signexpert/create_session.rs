use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::routes::sessions::TokenResponse;
use crate::{
    auth::signexpert::SignatureAlgorithm,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        signexpert::sign_in::{self, CertificateProof},
        Client,
    },
};

/// A signed challenge and the certificate that signed it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignexpertSignInRequest {
    /// From `POST /v1/signexpert/challenges`; used up by this request, whatever its outcome.
    pub challenge_id: String,
    /// The certificate chain, PEM: the user's certificate first, then any intermediate CA
    /// certificates (the trust anchor itself may be left out). At most 8 certificates.
    pub certificate_chain_pem: String,
    /// The signature of the challenge's `message_to_sign` (its UTF-8 bytes) with the
    /// certificate's private key, base64 (standard or url-safe, padded or not).
    pub signature: String,
    /// How the signature was made. When absent, every supported algorithm that fits the
    /// certificate's key is tried (for RSA keys: PKCS#1 v1.5, then PSS).
    #[serde(default)]
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// "Garder ma session active": the refresh token lives 30 days instead of 12 hours.
    #[serde(default)]
    pub keep_session_active: bool,
}

/// Sign in with a certificate (Signexpert). The chain must lead to a trust anchor of
/// `SIGNEXPERT_CA_FILE`; every certificate must be within its validity period; the user's
/// certificate must not be a CA, must allow digitalSignature when it has a key usage extension
/// and clientAuth when it has an extended key usage extension, and must not be revoked by the
/// configured CRL. It then signs in the account it is enrolled on (`POST /v1/me/certificates`),
/// or else the active account of the member whose SUPRA number is the subject's `serialNumber`
/// attribute. The session is a normal one, with `amr` = `x509`.
#[utoipa::path(
    operation_id = "sign_in_with_certificate",
    tag = "signexpert",
    request_body = SignexpertSignInRequest,
    responses(
        (status = 201, description = "Signed in", body = TokenResponse),
        (status = 401, description = "`invalid_challenge` (unknown, expired or used), `certificate_untrusted`, `certificate_expired`, `certificate_not_yet_valid`, `certificate_usage`, `certificate_revoked`, `invalid_signature`, or `certificate_not_linked` (valid certificate, but no active account for it)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: no PEM certificate, signature not base64; `invalid_certificate_chain`: unreadable certificate", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`signexpert_unavailable`: no trust anchors configured, or the configured CRL cannot be used", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signexpert/sessions")]
pub async fn create_session(
    ctx: web::Data<ApiContext>,
    client: Client,
    body: web::Json<SignexpertSignInRequest>,
) -> Result<HttpResponse, ApiError> {
    let SignexpertSignInRequest {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
        keep_session_active,
    } = body.into_inner();
    let proof = CertificateProof {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
    };
    let signed_in = sign_in::sign_in(&ctx, proof, keep_session_active, client).await?;
    Ok(HttpResponse::Created().json(TokenResponse::from(signed_in)))
}
