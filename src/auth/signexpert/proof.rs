//! The proof a Signexpert client gives: a fresh challenge signed with a certificate's key, the
//! certificate chaining to our trust anchors. Shared by sign-in and certificate enrolment.

use std::{sync::Arc, time::SystemTime};

use actix_web::web;

use super::{
    certificate::{self, CertificateIdentity, PresentedChain, Rejection},
    signed_message, SignatureAlgorithm, TrustStore,
};
use crate::{
    auth::encoding,
    context::ApiContext,
    db::{self, signexpert_challenges::SignexpertChallenge},
    error::{details, ApiError, ErrorCode, FieldIssue},
    i18n::Text,
};

/// What the client sent.
pub struct CertificateProof {
    /// From `POST /v1/signexpert/challenges`.
    pub challenge_id: String,
    /// End-entity certificate first, then intermediates, PEM.
    pub certificate_chain_pem: String,
    /// Base64 signature of the challenge's message.
    pub signature: String,
    /// How it was signed, when the client says.
    pub signature_algorithm: Option<SignatureAlgorithm>,
}

/// The trust store, or 503 `signexpert_unavailable` when none is configured.
pub fn trust_store(ctx: &ApiContext) -> Result<Arc<TrustStore>, ApiError> {
    ctx.signexpert.clone().ok_or_else(unavailable)
}

/// Checks the proof and returns the certificate's identity. The challenge is used up by this
/// attempt whatever its outcome, so a refused proof cannot be retried with the same nonce.
pub async fn verify(
    ctx: &ApiContext,
    proof: CertificateProof,
) -> Result<CertificateIdentity, ApiError> {
    let store = trust_store(ctx)?;
    let mut issues = Vec::new();
    let challenge_id = proof.challenge_id.trim().to_owned();
    if challenge_id.is_empty() || challenge_id.len() > 64 {
        issues.push(FieldIssue::new(
            "challenge_id",
            "required",
            Text::new(
                "Indiquez l'identifiant du défi Signexpert.",
                "Give the Signexpert challenge id.",
            ),
        ));
    }
    let chain = PresentedChain::from_pem(&proof.certificate_chain_pem);
    if chain.is_err() {
        issues.push(FieldIssue::new(
            "certificate_chain_pem",
            "certificate_chain",
            Text::owned(
                format!(
                    "Attendu : de 1 à {} certificats X.509 au format PEM, le certificat de l'utilisateur en premier.",
                    certificate::MAX_CHAIN_LEN
                ),
                format!(
                    "Expected: 1 to {} PEM X.509 certificates, the user's certificate first.",
                    certificate::MAX_CHAIN_LEN
                ),
            ),
        ));
    }
    let signature = encoding::decode_base64(&proof.signature);
    if signature.is_none() {
        issues.push(FieldIssue::new(
            "signature",
            "base64",
            Text::new(
                "La signature doit être encodée en base64.",
                "The signature must be base64-encoded.",
            ),
        ));
    }
    let (Ok(chain), Some(signature), true) = (chain, signature, issues.is_empty()) else {
        return Err(ApiError::validation(issues));
    };

    let challenge = ctx
        .db
        .run(move |conn| {
            Ok(db::session_write_transaction(conn, |conn| {
                SignexpertChallenge::claim(conn, &challenge_id, db::now())
            })?)
        })
        .await?
        .ok_or_else(invalid_challenge)?;
    let message = signed_message(&challenge.id, &challenge.nonce);
    let algorithm = proof.signature_algorithm;
    // Path building and RSA verification are CPU work: off the async executor.
    web::block(move || {
        let identity = certificate::validate(&store, &chain, SystemTime::now())?;
        certificate::verify_signature(&chain, algorithm, message.as_bytes(), &signature)?;
        Ok(identity)
    })
    .await?
    .map_err(rejected)
}

/// 503 `signexpert_unavailable`.
pub fn unavailable() -> ApiError {
    ApiError::of(ErrorCode::SignexpertUnavailable)
}

/// 401 `invalid_challenge`.
fn invalid_challenge() -> ApiError {
    ApiError::of(ErrorCode::InvalidChallenge)
}

/// The problem for a refused certificate or signature.
fn rejected(rejection: Rejection) -> ApiError {
    let code = match rejection {
        Rejection::Malformed => ErrorCode::InvalidCertificateChain,
        Rejection::Untrusted => ErrorCode::CertificateUntrusted,
        Rejection::Expired => ErrorCode::CertificateExpired,
        Rejection::NotYetValid => ErrorCode::CertificateNotYetValid,
        Rejection::WrongUsage => ErrorCode::CertificateUsage,
        Rejection::Revoked => ErrorCode::CertificateRevoked,
        Rejection::RevocationUnavailable => return unavailable(),
        Rejection::BadSignature => {
            return ApiError::of(ErrorCode::InvalidSignature)
                .with_detail(details::CERTIFICATE_SIGNATURE)
        }
    };
    ApiError::of(code)
}
