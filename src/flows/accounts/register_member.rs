//! « Créer mon compte » for a member of the register: the qualité chosen on the first screen and
//! the register entry the person recognised as themselves.
//!
//! The confirmation email goes to the address the register holds, never to one typed by the
//! caller; a member who already has an account gets the same ending and an email giving the
//! identifier and a reset link instead.

use crate::{
    context::ApiContext,
    db::{reference::Quality, registry::Member},
    error::{ApiError, ErrorCode, FieldIssue},
    flows::Client,
    i18n::Text,
    limits,
    registration::{self, MemberRegistration},
};

/// What the caller chose.
pub struct MemberRequest {
    /// The qualité code chosen on the first screen (a `registry` qualité).
    pub quality: String,
    /// The register entry (`member_ref`) the person recognised as themselves.
    pub member_ref: String,
}

/// A registration taken into account: an email is queued, whichever of the two it is.
#[derive(Debug)]
pub struct MemberRegistered {
    /// The register's address, where the email goes.
    pub email: String,
    /// Whether a new account was created or its owner reminded (the caller is told neither).
    pub registration: MemberRegistration,
}

/// Creates the account of the member `request` names, or reminds its existing owner.
pub async fn register_member(
    ctx: &ApiContext,
    request: MemberRequest,
    client: Client,
) -> Result<MemberRegistered, ApiError> {
    limits::enforce(ctx, limits::REGISTRATION_PER_CLIENT, &client.address).await?;
    let frontend_url = ctx.settings.frontend_url.clone();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            let quality = match Quality::find(conn, &request.quality)? {
                Some(q) if q.registration_path == "registry" => q,
                Some(_) => return Err(ApiError::validation(vec![external_quality()])),
                None => return Err(ApiError::validation(vec![unknown_quality()])),
            };
            let member = Member::find(conn, &request.member_ref)?.ok_or_else(member_not_found)?;
            let member_quality = Quality::find(conn, &member.quality_code)?;
            if member_quality.is_none_or(|mq| mq.family != quality.family) {
                return Err(quality_mismatch());
            }
            let registration = crate::db::write_transaction(conn, |conn| {
                registration::register_member(conn, &member, &quality.code, &frontend_url, now)
            })?;
            Ok(MemberRegistered {
                email: member.email,
                registration,
            })
        })
        .await
}

fn unknown_quality() -> FieldIssue {
    FieldIssue::new(
        "quality",
        "unknown_quality",
        Text::new("Qualité inconnue.", "Unknown quality."),
    )
}

fn external_quality() -> FieldIssue {
    FieldIssue::new(
        "quality",
        "external_form_quality",
        Text::new(
            "Cette qualité s'inscrit par le formulaire « Autre profil » (POST /v1/accounts/external).",
            "This quality registers through the \"Autre profil\" form (POST /v1/accounts/external).",
        ),
    )
}

fn member_not_found() -> ApiError {
    ApiError::of(ErrorCode::MemberNotFound)
}

fn quality_mismatch() -> ApiError {
    ApiError::of(ErrorCode::QualityMismatch)
}
