//! Saving a person's declaration as a draft ("Enregistrer"): it can still change until submitted.

use super::{change_person, one, DeclarationInput, DeclarationVersion, PersonAt};
use crate::{
    auth::extractor::Authenticated, context::ApiContext, contributions::declarations,
    error::ApiError,
};

/// Saves what `input` declares for the person `at` as the draft, its amount computed from the
/// barème. Refused with `validation_failed` for a form that does not fit the person's kind,
/// `declaration_locked` once submitted, and `campaign_closed` outside an open campaign.
pub async fn save_declaration(
    ctx: &ApiContext,
    auth: &Authenticated,
    at: PersonAt,
    input: DeclarationInput,
) -> Result<DeclarationVersion, ApiError> {
    let now = ctx.clock.now();
    change_person(ctx, auth, at, move |conn, p| {
        let declared = input.declared_for(p.person.is_natural())?;
        let draft = declarations::save_draft(
            conn,
            &p.campaign,
            &p.person,
            &declared,
            &p.access.account.id,
            now,
        )?;
        one(conn, draft)
    })
    .await
}
