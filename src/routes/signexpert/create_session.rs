use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::flows::Client;
use crate::routes::sessions::TokenResponse;
use crate::{
    auth::{
        session_tokens::{self, SignInContext},
        signexpert::{
            certificate::CertificateIdentity,
            proof::{self, CertificateProof},
            SignatureAlgorithm,
        },
    },
    context::ApiContext,
    db::{
        self, accounts::Account, registry::Member, signexpert_certificates::SignexpertCertificate,
        DbConnection,
    },
    error::{ApiError, ErrorCode, Problem},
    limits,
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
    req: HttpRequest,
    body: web::Json<SignexpertSignInRequest>,
) -> Result<HttpResponse, ApiError> {
    proof::trust_store(&ctx)?;
    limits::enforce(
        &ctx,
        limits::SIGNEXPERT_PROOF_PER_CLIENT,
        &limits::client_address(&req),
    )
    .await?;
    let SignexpertSignInRequest {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
        keep_session_active,
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
    let account = ctx
        .db
        .run(move |conn| account_for(conn, &identity))
        .await?
        .ok_or_else(certificate_not_linked)?;
    let tokens = session_tokens::open(
        &ctx,
        account,
        SignInContext {
            amr: "x509",
            keep_active: keep_session_active,
            client: Client::of_request(&req),
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(TokenResponse::from(tokens)))
}

/// The active account a certificate signs in to: the one it is enrolled on, else the account of
/// the member with its SUPRA number. An enrolment is authoritative: a certificate enrolled on an
/// account that cannot sign in does not fall back to its SUPRA number.
fn account_for(
    conn: &mut DbConnection,
    identity: &CertificateIdentity,
) -> Result<Option<Account>, ApiError> {
    if let Some(enrolled) = SignexpertCertificate::find_by_fingerprint(conn, &identity.fingerprint)?
    {
        let account = Account::find(conn, &enrolled.account_id)?.filter(Account::is_active);
        if account.is_some() {
            SignexpertCertificate::touch(conn, &enrolled.id, db::now())?;
        }
        return Ok(account);
    }
    let Some(supra_number) = &identity.supra_number else {
        return Ok(None);
    };
    let Some(member) = Member::find_by_supra_number(conn, supra_number)? else {
        return Ok(None);
    };
    Ok(Account::find_by_member(conn, &member.id)?.filter(Account::is_active))
}

fn certificate_not_linked() -> ApiError {
    ApiError::of(ErrorCode::CertificateNotLinked)
}
