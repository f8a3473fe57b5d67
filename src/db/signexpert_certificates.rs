//! Signexpert certificates enrolled on an account, known by the SHA-256 of their DER.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{credentials::enrolled_credential, schema::signexpert_certificates, DbConnection};

/// An enrolled certificate.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signexpert_certificates)]
pub struct SignexpertCertificate {
    pub id: String,
    pub account_id: String,
    /// SHA-256 of the DER, lowercase hex.
    pub fingerprint: String,
    /// Subject distinguished name (RFC 4514 text).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, hex.
    pub serial_number: String,
    /// End of the certificate's validity.
    pub not_after: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// Last sign-in with it.
    pub last_used_at: Option<NaiveDateTime>,
}

impl SignexpertCertificate {
    /// Most certificates one account may enrol.
    pub const MAX_PER_ACCOUNT: i64 = 10;

    /// The enrolment of a certificate, by fingerprint.
    pub fn find_by_fingerprint(
        conn: &mut DbConnection,
        fingerprint: &str,
    ) -> QueryResult<Option<Self>> {
        signexpert_certificates::table
            .filter(signexpert_certificates::fingerprint.eq(fingerprint))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}

enrolled_credential!(
    SignexpertCertificate,
    signexpert_certificates,
    "certificate"
);
