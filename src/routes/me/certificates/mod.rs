//! The account's Signexpert certificates: enrol, list, remove.

pub mod enrol;
pub mod list;
pub mod remove;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::signexpert_certificates::SignexpertCertificate;

/// A certificate enrolled on the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub id: String,
    /// SHA-256 of the certificate's DER, lowercase hex (what identifies it at sign-in).
    #[schema(example = "3b8f0c4e9a1d2f7e6c5b4a3928171605f4e3d2c1b0a99887766554433221100f")]
    pub fingerprint_sha256: String,
    /// Subject distinguished name.
    #[schema(example = "CN=Marie Durand, serialNumber=12345678, O=Ordre des experts-comptables")]
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial_number: String,
    /// End of the certificate's validity.
    pub not_after: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Last sign-in with it.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<SignexpertCertificate> for CertificateView {
    fn from(certificate: SignexpertCertificate) -> Self {
        Self {
            id: certificate.id,
            fingerprint_sha256: certificate.fingerprint,
            subject: certificate.subject,
            issuer: certificate.issuer,
            serial_number: certificate.serial_number,
            not_after: certificate.not_after.and_utc(),
            created_at: certificate.created_at.and_utc(),
            last_used_at: certificate.last_used_at.map(|t| t.and_utc()),
        }
    }
}
