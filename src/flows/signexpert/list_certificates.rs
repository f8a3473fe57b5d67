//! The certificates enrolled on the signed-in account (not those that sign in by SUPRA number
//! without enrolment).

use crate::{
    auth::extractor::Authenticated, context::ApiContext,
    db::signexpert_certificates::SignexpertCertificate, error::ApiError,
};

/// The caller's enrolled certificates, oldest enrolment first.
pub async fn list_certificates(
    ctx: &ApiContext,
    auth: &Authenticated,
) -> Result<Vec<SignexpertCertificate>, ApiError> {
    let account_id = auth.account_id.clone();
    ctx.db
        .run(move |conn| Ok(SignexpertCertificate::list(conn, &account_id)?))
        .await
}
