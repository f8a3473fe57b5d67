//! Correcting a submitted declaration: a new version replaces it, with its reason, and the
//! bureau's charge follows the difference.

use super::{change_person, one, DeclarationInput, DeclarationVersion, PersonAt};
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    contributions::declarations,
    error::{ApiError, FieldIssue},
    i18n::Text,
};

/// The longest reason kept.
pub const REASON_MAX_CHARS: usize = 500;

/// Replaces the submitted declaration of the person `at` with what `input` declares, for
/// `reason`. Refused with `validation_failed` for an empty or too long reason or a form that
/// does not fit the person's kind, `declaration_not_submitted` before a first submission, and
/// `campaign_closed` outside an open campaign.
pub async fn correct_declaration(
    ctx: &ApiContext,
    auth: &Authenticated,
    at: PersonAt,
    input: DeclarationInput,
    reason: &str,
) -> Result<DeclarationVersion, ApiError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "reason",
            "length",
            Text::new(
                "Indiquez le motif de la correction (500 caractères au plus).",
                "Give the reason for the correction (at most 500 characters).",
            ),
        )]));
    }
    let now = ctx.clock.now();
    change_person(ctx, auth, at, move |conn, p| {
        let declared = input.declared_for(p.person.is_natural())?;
        let corrected = declarations::correct(
            conn,
            &p.campaign,
            &p.person,
            &declared,
            &reason,
            &p.access.account.id,
            now,
        )?;
        one(conn, corrected)
    })
    .await
}
