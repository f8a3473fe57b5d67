//! "Choix région" and the regional email-conflict choice (guide 4.3): what the signed-in user
//! may do in each region, and which address the account and the regional file share.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        portal,
        reference::Region,
        registry::Campaign,
        security_events::{NewEvent, SecurityEvent},
        DbConnection,
    },
    domain::{email::mask, states::SecurityEventKind},
    error::{ApiError, ErrorCode},
    flows::portal::{region_not_found, viewer_of},
    mail::{outbox, templates::Template},
};

/// One region as the signed-in user sees it on "Choix région".
#[derive(Debug)]
pub struct RegionChoice {
    pub region: Region,
    /// The region's current campaign, if it has one.
    pub campaign: Option<Campaign>,
    /// Bureaux the user may manage there.
    pub bureaux_count: i64,
    /// The user has a personal file (dossier personnel) there.
    pub has_personal_file: bool,
}

/// Every region in the guide's order, with the caller's bureaux and personal files in each, in a
/// fixed number of queries.
pub async fn list_regions(
    ctx: &ApiContext,
    auth: &Authenticated,
) -> Result<Vec<RegionChoice>, ApiError> {
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            let (_, viewer) = viewer_of(conn, &auth)?;
            let regions = Region::all(conn)?;
            let mut campaigns = portal::current_campaigns(conn)?;
            let visible = portal::visible_bureau_ids(conn, &viewer)?;
            let counts = portal::bureau_counts_by_region(conn, &visible)?;
            let files = match &viewer.member_id {
                Some(member_id) => portal::personal_file_regions(conn, member_id)?,
                None => Vec::new(),
            };
            Ok(regions
                .into_iter()
                .map(|region| RegionChoice {
                    campaign: campaigns.remove(&region.code),
                    bureaux_count: counts.get(&region.code).copied().unwrap_or(0),
                    has_personal_file: files.contains(&region.code),
                    region,
                })
                .collect())
        })
        .await
}

/// The two addresses while they differ, in full (the route masks them).
#[derive(Debug)]
pub struct EmailConflict {
    /// The ComptExpert account's address.
    pub account_email: String,
    /// The regional file's address, lower-cased.
    pub file_email: String,
}

/// Whether the caller's account email differs from their regional file's in `region_code`.
/// Refused with `not_found` for an unknown region and `no_email_conflict` when the addresses
/// agree or there is no regional file.
pub async fn email_conflict(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
) -> Result<EmailConflict, ApiError> {
    let auth = auth.clone();
    ctx.db
        .run(move |conn| conflict_in(conn, &auth, &region_code).map(|(_, _, conflict)| conflict))
        .await
}

/// Which address the caller keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailSource {
    /// The ComptExpert account's: the regional file takes it.
    Account,
    /// The regional file's: the account takes it, and its old address is told.
    File,
}

/// Resolves the conflict in `region_code`: the account and the regional file both take the
/// chosen address, in one transaction, with a security event; returns that address. Refused as
/// [`email_conflict`] refuses when there is no conflict to resolve.
pub async fn choose_email(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    choice: EmailSource,
) -> Result<String, ApiError> {
    let auth = auth.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let (account, viewer, conflict) = conflict_in(conn, &auth, &region_code)?;
                let chosen = match choice {
                    EmailSource::Account => conflict.account_email,
                    EmailSource::File => conflict.file_email,
                };
                portal::set_regional_file_email(conn, &viewer, &region_code, &chosen, now)?;
                // The region's gate opens for this account, and its address may change.
                touched.region(&region_code);
                touched.account(&account.id);
                if chosen != account.email {
                    Account::set_email(conn, &account.id, &chosen, now)?;
                    outbox::enqueue(
                        conn,
                        &account.email,
                        &Template::EmailChangeNotice {
                            greeting_name: account.greeting_name(),
                            new_email_masked: mask(&chosen),
                        },
                    )?;
                }
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind: SecurityEventKind::EmailChanged,
                        method: None,
                        client_address: None,
                        session_id: Some(&auth.session_id),
                    },
                    now,
                )?;
                Ok(chosen)
            })
        })
        .await
}

/// The caller's account (and as a portal viewer) and the conflict in `region_code`, or the
/// refusal.
fn conflict_in(
    conn: &mut DbConnection,
    auth: &Authenticated,
    region_code: &str,
) -> Result<(Account, portal::Viewer, EmailConflict), ApiError> {
    if !Region::exists(conn, region_code)? {
        return Err(region_not_found());
    }
    let (account, viewer) = viewer_of(conn, auth)?;
    match portal::regional_file_email(conn, &viewer, region_code)? {
        Some(file_email) if !file_email.eq_ignore_ascii_case(&account.email) => {
            let conflict = EmailConflict {
                account_email: account.email.clone(),
                file_email: file_email.to_lowercase(),
            };
            Ok((account, viewer, conflict))
        }
        _ => Err(no_conflict()),
    }
}

/// `no_email_conflict`: the addresses agree, or there is no regional file.
pub fn no_conflict() -> ApiError {
    ApiError::of(ErrorCode::NoEmailConflict)
}
