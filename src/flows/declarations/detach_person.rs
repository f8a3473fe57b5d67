//! Detaching a person who is not declared (a member who left before being declared, or one
//! attached by mistake).

use super::{change_person, PersonAt};
use crate::{
    auth::extractor::Authenticated, context::ApiContext, contributions::persons, error::ApiError,
};

/// Detaches the person `at` from the bureau for the campaign. Refused with `person_declared`
/// once their declaration is submitted and `campaign_closed` outside an open campaign.
pub async fn detach_person(
    ctx: &ApiContext,
    auth: &Authenticated,
    at: PersonAt,
) -> Result<(), ApiError> {
    change_person(ctx, auth, at, |conn, p| {
        Ok(persons::detach(conn, &p.campaign, &p.person)?)
    })
    .await
}
