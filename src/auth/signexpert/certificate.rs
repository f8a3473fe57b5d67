//! Validating a presented certificate chain and the signature made with its key.

use std::time::SystemTime;

use chrono::{DateTime, NaiveDateTime};
use rustls_pki_types::{pem::PemObject, CertificateDer, SignatureVerificationAlgorithm, UnixTime};
use sha2::{Digest, Sha256};
use webpki::{EndEntityCert, KeyUsage, RevocationCheckDepth, RevocationOptionsBuilder};
use x509_parser::{
    certificate::X509Certificate, oid_registry::OID_X509_SERIALNUMBER, prelude::FromDer,
};

use super::{SignatureAlgorithm, TrustStore};
use crate::domain::supra::SupraNumber;

/// Most certificates accepted in one chain (end-entity and intermediates).
pub const MAX_CHAIN_LEN: usize = 8;

/// Why a certificate or its signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Not a certificate chain we can read.
    Malformed,
    /// Does not lead to a configured trust anchor (unknown issuer, bad signature in the chain).
    Untrusted,
    /// A certificate of the chain is past its validity.
    Expired,
    /// A certificate of the chain is not valid yet.
    NotYetValid,
    /// Not a certificate for signing in: key usage without digitalSignature, extended key usage
    /// without clientAuth, a CA certificate as end-entity, broken basic constraints.
    WrongUsage,
    /// Listed in the configured CRL.
    Revoked,
    /// The configured CRL cannot be used (unreadable, expired, badly signed): fail closed.
    RevocationUnavailable,
    /// The signature is not the certificate key's signature of the message.
    BadSignature,
}

/// A chain as the client sent it: the end-entity certificate first, then intermediates.
pub struct PresentedChain {
    certificates: Vec<CertificateDer<'static>>,
}

impl PresentedChain {
    /// Reads PEM `CERTIFICATE` blocks; 1 to [`MAX_CHAIN_LEN`] of them.
    pub fn from_pem(pem: &str) -> Result<Self, Rejection> {
        let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| Rejection::Malformed)?;
        if certificates.is_empty() || certificates.len() > MAX_CHAIN_LEN {
            return Err(Rejection::Malformed);
        }
        Ok(Self { certificates })
    }

    fn end_entity(&self) -> &CertificateDer<'static> {
        &self.certificates[0]
    }

    fn intermediates(&self) -> &[CertificateDer<'static>] {
        &self.certificates[1..]
    }
}

/// What the service keeps of a validated end-entity certificate.
#[derive(Debug, Clone)]
pub struct CertificateIdentity {
    /// SHA-256 of the DER, lowercase hex.
    pub fingerprint: String,
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial_number: String,
    /// End of validity.
    pub not_after: NaiveDateTime,
    /// The SUPRA number of the subject's `serialNumber` attribute, if it holds one.
    pub supra_number: Option<String>,
}

/// Validates the chain at `now`: path to a trust anchor, validity periods, basic constraints,
/// extended key usage clientAuth (when the extension is present), key usage digitalSignature
/// (when the extension is present), and revocation when a CRL file is configured.
pub fn validate(
    store: &TrustStore,
    chain: &PresentedChain,
    now: SystemTime,
) -> Result<CertificateIdentity, Rejection> {
    let end_entity =
        EndEntityCert::try_from(chain.end_entity()).map_err(|_| Rejection::Malformed)?;
    let lists = store.revocation_lists().map_err(|error| {
        tracing::error!(%error, "Signexpert revocation lists unusable");
        Rejection::RevocationUnavailable
    })?;
    let list_refs: Vec<_> = lists.iter().flat_map(|l| l.iter()).collect();
    let revocation = RevocationOptionsBuilder::new(&list_refs)
        .ok()
        .map(|builder| {
            builder
                .with_depth(RevocationCheckDepth::Chain)
                // A CRL covers its own issuer's certificates; other issuers' are not checked.
                .with_status_policy(webpki::UnknownStatusPolicy::Allow)
                .with_expiration_policy(webpki::ExpirationPolicy::Enforce)
                .build()
        });
    let since_epoch = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| Rejection::Untrusted)?;
    end_entity
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            store.anchors(),
            chain.intermediates(),
            UnixTime::since_unix_epoch(since_epoch),
            KeyUsage::client_auth(),
            revocation,
            None,
        )
        .map_err(classify)?;

    let (_, parsed) =
        X509Certificate::from_der(chain.end_entity()).map_err(|_| Rejection::Malformed)?;
    match parsed.key_usage() {
        Ok(Some(usage)) if !usage.value.digital_signature() => return Err(Rejection::WrongUsage),
        Ok(_) => {}
        Err(_) => return Err(Rejection::Malformed),
    }
    Ok(identity(chain.end_entity(), &parsed))
}

/// Checks that `signature` is the end-entity key's signature of `message`, with `algorithm`, or
/// with whichever supported algorithm fits the key when the client did not say.
pub fn verify_signature(
    chain: &PresentedChain,
    algorithm: Option<SignatureAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Rejection> {
    let end_entity =
        EndEntityCert::try_from(chain.end_entity()).map_err(|_| Rejection::Malformed)?;
    let candidates = match algorithm {
        Some(one) => vec![one],
        None => SignatureAlgorithm::ALL.to_vec(),
    };
    for candidate in candidates {
        for encoded in signature_forms(candidate, signature) {
            if end_entity
                .verify_signature(webpki_algorithm(candidate), message, &encoded)
                .is_ok()
            {
                return Ok(());
            }
        }
    }
    Err(Rejection::BadSignature)
}

fn webpki_algorithm(algorithm: SignatureAlgorithm) -> &'static dyn SignatureVerificationAlgorithm {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        SignatureAlgorithm::RsaPssSha256 => webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        SignatureAlgorithm::EcdsaP256Sha256 => webpki::ring::ECDSA_P256_SHA256,
        SignatureAlgorithm::Ed25519 => webpki::ring::ED25519,
    }
}

/// The encodings of `signature` worth trying: as sent, and for ECDSA a raw `r‖s` re-encoded as
/// the DER that webpki expects (PKCS#11 tokens and WebCrypto produce the raw form).
fn signature_forms(algorithm: SignatureAlgorithm, signature: &[u8]) -> Vec<Vec<u8>> {
    let mut forms = vec![signature.to_vec()];
    if algorithm == SignatureAlgorithm::EcdsaP256Sha256 && signature.len() == 64 {
        if let Ok(raw) = p256::ecdsa::Signature::from_slice(signature) {
            forms.push(raw.to_der().as_bytes().to_vec());
        }
    }
    forms
}

#[expect(
    deprecated,
    reason = "older webpki errors still name the same failures"
)]
fn classify(error: webpki::Error) -> Rejection {
    use webpki::Error as E;
    match error {
        E::CertExpired { .. } => Rejection::Expired,
        E::CertNotValidYet { .. } => Rejection::NotYetValid,
        E::CertRevoked => Rejection::Revoked,
        E::CaUsedAsEndEntity
        | E::EndEntityUsedAsCa
        | E::EmptyEkuExtension
        | E::PathLenConstraintViolated
        | E::RequiredEkuNotFound
        | E::RequiredEkuNotFoundContext(_) => Rejection::WrongUsage,
        E::CrlExpired { .. }
        | E::InvalidCrlSignatureForPublicKey
        | E::IssuerNotCrlSigner
        | E::UnknownRevocationStatus
        | E::UnsupportedCrlSignatureAlgorithm
        | E::UnsupportedCrlSignatureAlgorithmContext(_)
        | E::UnsupportedCrlSignatureAlgorithmForPublicKey
        | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => {
            tracing::error!(?error, "Signexpert CRL check failed");
            Rejection::RevocationUnavailable
        }
        E::BadDer | E::BadDerTime | E::TrailingData(_) | E::UnsupportedCertVersion => {
            Rejection::Malformed
        }
        _ => Rejection::Untrusted,
    }
}

fn identity(der: &CertificateDer<'_>, parsed: &X509Certificate<'_>) -> CertificateIdentity {
    let supra_number = parsed
        .subject()
        .iter_by_oid(&OID_X509_SERIALNUMBER)
        .find_map(|attribute| attribute.as_str().ok())
        .and_then(|value| SupraNumber::parse(value).ok())
        .map(|supra| supra.as_str().to_owned());
    let not_after = DateTime::from_timestamp(parsed.validity().not_after.timestamp(), 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default();
    CertificateIdentity {
        fingerprint: hex::encode(Sha256::digest(der.as_ref())),
        subject: parsed.subject().to_string(),
        issuer: parsed.issuer().to_string(),
        serial_number: hex::encode(parsed.raw_serial()),
        not_after,
        supra_number,
    }
}
