//! Submitting a person's declaration ("Valider"): the draft is locked and its amount charged to
//! the bureau.

use super::{change_person, one, DeclarationVersion, PersonAt};
use crate::{
    auth::extractor::Authenticated, context::ApiContext, contributions::declarations,
    error::ApiError,
};

/// Submits the draft of the person `at`. Refused with `no_draft` when there is none,
/// `declaration_locked` when it is already submitted, and `campaign_closed` outside an open
/// campaign.
pub async fn submit_declaration(
    ctx: &ApiContext,
    auth: &Authenticated,
    at: PersonAt,
) -> Result<DeclarationVersion, ApiError> {
    let now = ctx.clock.now();
    change_person(ctx, auth, at, move |conn, p| {
        let submitted =
            declarations::submit(conn, &p.campaign, &p.person, &p.access.account.id, now)?;
        one(conn, submitted)
    })
    .await
}
