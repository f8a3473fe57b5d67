//! Who manages a bureau: the accounts (RACs) it is granted to. Anyone who may see the bureau
//! sees the list; only a responsable of its firm grants and revokes.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        portal::{self, Manager},
        registry::Bureau,
        DbConnection,
    },
    error::{ApiError, ErrorCode},
    flows::portal::{bureau_of, region_access, RegionAccess},
};

/// A manager of the bureau, with the identifier of the responsable who granted it (`None` when
/// the regional council's import did).
#[derive(Debug)]
pub struct BureauManager {
    pub manager: Manager,
    pub granted_by_identifier: Option<String>,
}

/// The managers of the bureau `bureau_ref` of `region_code`. Refused as every region route
/// refuses (`region_not_found`, `email_conflict`) and with `bureau_not_found` for a bureau the
/// caller may not see.
pub async fn list_managers(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    bureau_ref: String,
) -> Result<Vec<BureauManager>, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            let (bureau, _) = bureau_for(conn, &access, &region_code, &bureau_ref)?;
            managers_of(conn, &bureau.id)
        })
        .await
}

/// Whether a grant added a manager or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    Granted,
    AlreadyGranted,
}

/// Grants the bureau to the active account `identifier`; returns what changed and the managers
/// now. Refused with `not_responsable` for a caller who is not a responsable of the firm and
/// `account_not_found` for an identifier without an active account.
pub async fn grant_manager(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    bureau_ref: String,
    identifier: String,
) -> Result<(Grant, Vec<BureauManager>), ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let bureau = responsable_bureau(conn, &access, &region_code, &bureau_ref)?;
                touched.region(&region_code);
                let grantee = Account::find_by_identifier(conn, &identifier)?
                    .filter(Account::is_active)
                    .ok_or_else(|| ApiError::of(ErrorCode::AccountNotFound))?;
                let created =
                    portal::grant(conn, &bureau.id, &grantee.id, Some(&access.account.id), now)?;
                let grant = if created {
                    Grant::Granted
                } else {
                    Grant::AlreadyGranted
                };
                Ok((grant, managers_of(conn, &bureau.id)?))
            })
        })
        .await
}

/// Revokes the management of the bureau by the account `identifier`. Refused with
/// `not_responsable` as [`grant_manager`], and `manager_not_found` when that account does not
/// manage the bureau.
pub async fn revoke_manager(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    bureau_ref: String,
    identifier: String,
) -> Result<(), ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    let manager_not_found = || ApiError::of(ErrorCode::ManagerNotFound);
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let bureau = responsable_bureau(conn, &access, &region_code, &bureau_ref)?;
                touched.region(&region_code);
                let manager = Account::find_by_identifier(conn, &identifier)?
                    .ok_or_else(manager_not_found)?;
                if !portal::revoke(conn, &bureau.id, &manager.id)? {
                    return Err(manager_not_found());
                }
                Ok(())
            })
        })
        .await
}

/// The bureau if the caller may see it in this region, and whether they are a responsable of
/// its firm.
fn bureau_for(
    conn: &mut DbConnection,
    access: &RegionAccess,
    region_code: &str,
    bureau_ref: &str,
) -> Result<(Bureau, bool), ApiError> {
    let (bureau, _) = bureau_of(conn, access, region_code, bureau_ref)?;
    let responsable = match &access.viewer.member_id {
        Some(member_id) => portal::is_responsable(conn, member_id, &bureau.firm_id)?,
        None => false,
    };
    Ok((bureau, responsable))
}

/// The bureau if the caller is a responsable of its firm; `not_responsable` otherwise.
fn responsable_bureau(
    conn: &mut DbConnection,
    access: &RegionAccess,
    region_code: &str,
    bureau_ref: &str,
) -> Result<Bureau, ApiError> {
    match bureau_for(conn, access, region_code, bureau_ref)? {
        (bureau, true) => Ok(bureau),
        (_, false) => Err(ApiError::of(ErrorCode::NotResponsable)),
    }
}

fn managers_of(conn: &mut DbConnection, bureau_id: &str) -> Result<Vec<BureauManager>, ApiError> {
    let managers = portal::managers(conn, bureau_id)?;
    // The grantors' identifiers in one query, not one per manager.
    let grantor_ids: Vec<String> = managers
        .iter()
        .filter_map(|m| m.granted_by.clone())
        .collect();
    let grantors = portal::identifiers_of(conn, &grantor_ids)?;
    Ok(managers
        .into_iter()
        .map(|manager| BureauManager {
            granted_by_identifier: manager
                .granted_by
                .as_ref()
                .and_then(|id| grantors.get(id).cloned()),
            manager,
        })
        .collect())
}
