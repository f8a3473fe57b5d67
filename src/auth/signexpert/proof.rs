//! The proof a Signexpert client gives: a fresh challenge signed with a certificate's key, the
//! certificate chaining to our trust anchors. Shared by sign-in and certificate enrolment.

use std::{sync::Arc, time::SystemTime};

use actix_web::{http::StatusCode, web};

use super::{
    certificate::{self, CertificateIdentity, PresentedChain, Rejection},
    signed_message, SignatureAlgorithm, TrustStore,
};
use crate::{
    auth::encoding,
    context::ApiContext,
    db::{self, signexpert_challenges::SignexpertChallenge},
    error::{ApiError, FieldIssue},
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
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "signexpert_unavailable",
        Text::new(
            "Connexion par certificat indisponible",
            "Certificate sign-in unavailable",
        ),
        Text::new(
            "La connexion par certificat (Signexpert) n'est pas disponible sur ce service. Connectez-vous avec votre identifiant et votre mot de passe.",
            "Certificate sign-in (Signexpert) is not available on this service. Sign in with your identifier and password.",
        ),
    )
}

/// 401 `invalid_challenge`.
fn invalid_challenge() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_challenge",
        Text::new("Défi invalide", "Invalid challenge"),
        Text::new(
            "Ce défi Signexpert est inconnu, expiré ou déjà utilisé. Demandez-en un nouveau.",
            "This Signexpert challenge is unknown, expired or already used. Request a new one.",
        ),
    )
}

/// The problem for a refused certificate or signature.
fn rejected(rejection: Rejection) -> ApiError {
    let (status, code, title, detail) = match rejection {
        Rejection::Malformed => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_certificate_chain",
            Text::new("Certificat illisible", "Unreadable certificate"),
            Text::new(
                "Le certificat présenté n'est pas un certificat X.509 valide.",
                "The certificate presented is not a valid X.509 certificate.",
            ),
        ),
        Rejection::Untrusted => (
            StatusCode::UNAUTHORIZED,
            "certificate_untrusted",
            Text::new("Certificat non reconnu", "Certificate not trusted"),
            Text::new(
                "Ce certificat n'a pas été délivré par une autorité reconnue par ComptExpert.",
                "This certificate was not issued by an authority that ComptExpert trusts.",
            ),
        ),
        Rejection::Expired => (
            StatusCode::UNAUTHORIZED,
            "certificate_expired",
            Text::new("Certificat expiré", "Certificate expired"),
            Text::new(
                "Ce certificat (ou un certificat de sa chaîne) a expiré.",
                "This certificate (or one of its chain) has expired.",
            ),
        ),
        Rejection::NotYetValid => (
            StatusCode::UNAUTHORIZED,
            "certificate_not_yet_valid",
            Text::new("Certificat pas encore valide", "Certificate not yet valid"),
            Text::new(
                "Ce certificat (ou un certificat de sa chaîne) n'est pas encore valide.",
                "This certificate (or one of its chain) is not valid yet.",
            ),
        ),
        Rejection::WrongUsage => (
            StatusCode::UNAUTHORIZED,
            "certificate_usage",
            Text::new("Usage du certificat", "Certificate usage"),
            Text::new(
                "Ce certificat n'est pas destiné à l'authentification (usage de clé « signature numérique » et usage étendu « authentification client » requis).",
                "This certificate is not meant for authentication (key usage digitalSignature and extended key usage clientAuth are required).",
            ),
        ),
        Rejection::Revoked => (
            StatusCode::UNAUTHORIZED,
            "certificate_revoked",
            Text::new("Certificat révoqué", "Certificate revoked"),
            Text::new(
                "Ce certificat a été révoqué par son autorité.",
                "This certificate has been revoked by its authority.",
            ),
        ),
        Rejection::RevocationUnavailable => return unavailable(),
        Rejection::BadSignature => (
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            Text::new("Signature invalide", "Invalid signature"),
            Text::new(
                "La signature ne correspond pas au défi et à la clé du certificat.",
                "The signature does not match the challenge and the certificate's key.",
            ),
        ),
    };
    ApiError::new(status, code, title, detail)
}
