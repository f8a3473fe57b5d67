//! « Se connecter avec Signexpert »: a signed challenge and a trusted certificate open a session
//! (`amr` = `x509`) on the account the certificate is enrolled on, or else on the active account
//! of the member whose SUPRA number the certificate carries.

use crate::{
    auth::{
        session_tokens::{self, SignInContext, SignedIn},
        signexpert::{certificate::CertificateIdentity, proof},
    },
    context::ApiContext,
    db::{
        accounts::Account, registry::Member, signexpert_certificates::SignexpertCertificate,
        DbConnection,
    },
    error::{ApiError, ErrorCode},
    flows::Client,
    limits,
};

pub use crate::auth::signexpert::proof::CertificateProof;

/// Signs in with `proof` from `client`. The proof's refusals are its own (`invalid_challenge`,
/// `certificate_*`, `invalid_signature`, ...); a valid certificate that leads to no active
/// account is 401 `certificate_not_linked`.
pub async fn sign_in(
    ctx: &ApiContext,
    proof: CertificateProof,
    keep_session_active: bool,
    client: Client,
) -> Result<SignedIn, ApiError> {
    proof::trust_store(ctx)?;
    limits::enforce(ctx, limits::SIGNEXPERT_PROOF_PER_CLIENT, &client.address).await?;
    let identity = proof::verify(ctx, proof).await?;
    let now = ctx.clock.now();
    let account = ctx
        .db
        .run(move |conn| account_for(conn, &identity, now))
        .await?
        .ok_or_else(certificate_not_linked)?;
    session_tokens::open(
        ctx,
        account,
        SignInContext {
            amr: "x509",
            keep_active: keep_session_active,
            client,
        },
    )
    .await
}

/// The active account a certificate signs in to: the one it is enrolled on, else the account of
/// the member with its SUPRA number. An enrolment is authoritative: a certificate enrolled on an
/// account that cannot sign in does not fall back to its SUPRA number.
pub(crate) fn account_for(
    conn: &mut DbConnection,
    identity: &CertificateIdentity,
    now: chrono::NaiveDateTime,
) -> Result<Option<Account>, ApiError> {
    if let Some(enrolled) = SignexpertCertificate::find_by_fingerprint(conn, &identity.fingerprint)?
    {
        let account = Account::find(conn, &enrolled.account_id)?.filter(Account::is_active);
        if account.is_some() {
            SignexpertCertificate::touch(conn, &enrolled.id, now)?;
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

/// 401 `certificate_not_linked`: a valid certificate, but no active account for it.
pub(crate) fn certificate_not_linked() -> ApiError {
    ApiError::of(ErrorCode::CertificateNotLinked)
}
