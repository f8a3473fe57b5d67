//! Attaching a person to a bureau for the campaign: a member by SUPRA number, or a firm by
//! reference.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    contributions::persons::{self, Person},
    db::{self, portal},
    error::ApiError,
    flows::portal::{bureau_of, campaign_of, region_access},
};

pub use crate::db::portal::AttachedPerson;

/// Attaches `person` to the bureau `bureau_ref` of `region_code` and returns it as the bureau's
/// list shows it. Refused with `already_attached`, `member_not_found` or `firm_not_found`, and
/// `campaign_closed` outside an open campaign.
pub async fn attach_person(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    bureau_ref: String,
    person: Person,
) -> Result<AttachedPerson, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let (bureau, _) = bureau_of(conn, &access, &region_code, &bureau_ref)?;
                let campaign = campaign_of(&access)?;
                let attachment = persons::attach(conn, &campaign, &bureau.id, &person, now)?;
                touched.region(&region_code);
                portal::attached_persons(conn, &campaign.id, &bureau.id)?
                    .into_iter()
                    .find(|p| p.attachment_id == attachment.id)
                    .ok_or_else(|| ApiError::internal("attached person not found"))
            })
        })
        .await
}
