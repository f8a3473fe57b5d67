//! Signexpert certificates enrolled on an account, known by the SHA-256 of their DER.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::signexpert_certificates, DbConnection};

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

    /// Inserts a certificate; one enrolled anywhere already is a unique violation.
    pub fn insert(conn: &mut DbConnection, certificate: &SignexpertCertificate) -> QueryResult<()> {
        diesel::insert_into(signexpert_certificates::table)
            .values(certificate)
            .execute(conn)
            .map(|_| ())
    }

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

    /// The account's certificates, oldest enrolment first.
    pub fn list(conn: &mut DbConnection, account_id: &str) -> QueryResult<Vec<Self>> {
        signexpert_certificates::table
            .filter(signexpert_certificates::account_id.eq(account_id))
            .order((
                signexpert_certificates::created_at,
                signexpert_certificates::id,
            ))
            .select(Self::as_select())
            .load(conn)
    }

    /// How many certificates the account has.
    pub fn count(conn: &mut DbConnection, account_id: &str) -> QueryResult<i64> {
        signexpert_certificates::table
            .filter(signexpert_certificates::account_id.eq(account_id))
            .count()
            .get_result(conn)
    }

    /// Removes one of the account's certificates and returns it; `None` when it is not one of them.
    pub fn delete_owned(
        conn: &mut DbConnection,
        account_id: &str,
        id: &str,
    ) -> QueryResult<Option<Self>> {
        let certificate = signexpert_certificates::table
            .find(id)
            .filter(signexpert_certificates::account_id.eq(account_id))
            .select(Self::as_select())
            .first(conn)
            .optional()?;
        if certificate.is_some() {
            diesel::delete(signexpert_certificates::table.find(id)).execute(conn)?;
        }
        Ok(certificate)
    }

    /// Records a sign-in with the certificate.
    pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(signexpert_certificates::table.find(id))
            .set(signexpert_certificates::last_used_at.eq(now))
            .execute(conn)
            .map(|_| ())
    }
}
