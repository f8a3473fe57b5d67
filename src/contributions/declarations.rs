//! Saving, submitting and correcting the declaration of an attached person. Each function runs
//! inside the caller's write transaction, locks the bureau (PostgreSQL; SQLite's write lock is
//! already held), and books in the ledger what a submission or a correction changes.

use chrono::NaiveDateTime;

use super::ContributionError;
use crate::db::{
    self,
    attachments::Attachment,
    declarations::Declaration,
    ledger::{self, NewEntry},
    registry::{Campaign, Member},
    scales::ScaleRow,
    DbConnection, LockTarget,
};
use crate::domain::amount::{declaration_amount, Declared, Headcount, NewMemberYear, PpCategory};
use crate::domain::money::within_maximum;
use crate::domain::states::{DeclarationState, DeclarationStatus, LedgerEntryKind};

/// What a stored version declares.
pub fn declared_of(declaration: &Declaration) -> Option<Declared> {
    match (&declaration.pp_category, declaration.headcount_hundredths) {
        (Some(category), None) => Some(Declared::Natural {
            category: PpCategory::parse(category)?,
            new_member: declaration
                .new_member_year
                .and_then(NewMemberYear::from_number),
        }),
        (None, Some(hundredths)) => Some(Declared::Legal {
            headcount: Headcount::from_hundredths(hundredths.into())?,
        }),
        _ => None,
    }
}

/// Refuses a closed campaign and takes the bureau's lock.
pub(super) fn open_and_lock(
    conn: &mut DbConnection,
    campaign: &Campaign,
    attachment: &Attachment,
) -> Result<(), ContributionError> {
    if !campaign.is_open {
        return Err(ContributionError::CampaignClosed);
    }
    db::lock_for_update(conn, LockTarget::Bureau, &attachment.bureau_id)?;
    Ok(())
}

/// Checks that `declared` fits the person, and computes its amount from the campaign's barème.
fn amount_for(
    conn: &mut DbConnection,
    campaign: &Campaign,
    attachment: &Attachment,
    declared: &Declared,
) -> Result<(i64, ScaleRow), ContributionError> {
    match (declared, attachment.is_natural()) {
        (Declared::Natural { new_member, .. }, true) => {
            if let Some(year) = new_member {
                let member = match &attachment.member_id {
                    Some(id) => Member::find(conn, id)?,
                    None => None,
                };
                let actual =
                    member.and_then(|m| NewMemberYear::of(m.registration_year, campaign.year));
                if actual != Some(*year) {
                    return Err(ContributionError::Invalid {
                        field: "new_member_year",
                        code: "new_member_year_not_applicable",
                    });
                }
            }
        }
        (Declared::Legal { .. }, false) => {}
        (Declared::Natural { .. }, false) => {
            return Err(ContributionError::Invalid {
                field: "category",
                code: "not_a_natural_person",
            })
        }
        (Declared::Legal { .. }, true) => {
            return Err(ContributionError::Invalid {
                field: "average_headcount",
                code: "not_a_legal_person",
            })
        }
    }
    let scale = ScaleRow::find(conn, &campaign.region_code, campaign.year)?
        .ok_or(ContributionError::ScaleMissing)?;
    let amount = declaration_amount(&scale.scale(), declared);
    // Every amount is at most one payment's maximum, so that each declaration can be paid in one:
    // a headcount so large that its amount passes it is refused here (422). Only a legal person's
    // amount can: a natural person's is at most a figure of the barème, which is bounded too.
    if !within_maximum(amount) {
        return Err(ContributionError::Invalid {
            field: "average_headcount",
            code: "amount_too_large",
        });
    }
    Ok((amount, scale))
}

/// The columns of a version declaring `declared`.
pub(crate) fn columns(declared: &Declared) -> (Option<String>, Option<i32>, Option<i32>) {
    match declared {
        Declared::Natural {
            category,
            new_member,
        } => (
            Some(category.as_str().to_owned()),
            new_member.map(NewMemberYear::number),
            None,
        ),
        Declared::Legal { headcount } => (None, None, i32::try_from(headcount.hundredths()).ok()),
    }
}

/// Saves the draft of a person (creating it, or replacing the draft already saved). Refused once
/// a version is submitted: that one changes only by a correction.
pub fn save_draft(
    conn: &mut DbConnection,
    campaign: &Campaign,
    attachment: &Attachment,
    declared: &Declared,
    actor: &str,
    now: NaiveDateTime,
) -> Result<Declaration, ContributionError> {
    open_and_lock(conn, campaign, attachment)?;
    let (amount, _) = amount_for(conn, campaign, attachment, declared)?;
    let (pp_category, new_member_year, headcount_hundredths) = columns(declared);
    let declaration = match Declaration::current(conn, &attachment.id)? {
        Some(current) if current.status == DeclarationStatus::Submitted => {
            return Err(ContributionError::DeclarationLocked)
        }
        Some(draft) => {
            let updated = Declaration {
                pp_category,
                new_member_year,
                headcount_hundredths,
                amount_cents: amount,
                created_by: Some(actor.to_owned()),
                updated_at: now,
                ..draft
            };
            updated.update_draft(conn)?;
            updated
        }
        None => {
            let draft = Declaration {
                id: db::new_id(),
                attachment_id: attachment.id.clone(),
                version: Declaration::last_version(conn, &attachment.id)? + 1,
                status: DeclarationStatus::Draft,
                pp_category,
                new_member_year,
                headcount_hundredths,
                amount_cents: amount,
                correction_reason: None,
                created_by: Some(actor.to_owned()),
                created_at: now,
                updated_at: now,
                submitted_by: None,
                submitted_at: None,
                superseded_at: None,
            };
            draft.insert(conn)?;
            draft
        }
    };
    Attachment::set_state(conn, &attachment.id, DeclarationState::Draft, now)?;
    Ok(declaration)
}

/// Books the amount of the version `declaration` of the attachment's person as `kind` (its charge,
/// or the cancellation of that charge when a correction supersedes it), tied to the version.
fn book_version(
    conn: &mut DbConnection,
    attachment: &Attachment,
    declaration: &Declaration,
    kind: LedgerEntryKind,
    reference: &str,
    now: NaiveDateTime,
) -> Result<(), ContributionError> {
    ledger::book(
        conn,
        &NewEntry {
            campaign_id: &attachment.campaign_id,
            bureau_id: &attachment.bureau_id,
            attachment_id: Some(&attachment.id),
            kind,
            amount_cents: declaration.amount_cents,
            reference: Some(reference),
            declaration_id: Some(&declaration.id),
            payment_id: None,
        },
        now,
    )?;
    Ok(())
}

/// Books the charge of a submitted version, and calls the bureau's fixed part if it is not yet.
fn book_charge(
    conn: &mut DbConnection,
    attachment: &Attachment,
    declaration: &Declaration,
    scale: &ScaleRow,
    now: NaiveDateTime,
) -> Result<(), ContributionError> {
    let reference = format!("declaration v{}", declaration.version);
    book_version(
        conn,
        attachment,
        declaration,
        LedgerEntryKind::Charge,
        &reference,
        now,
    )?;
    ledger::call_bureau_fixed_part(
        conn,
        &attachment.campaign_id,
        &attachment.bureau_id,
        scale.scale().bureau_fixed_cents,
        now,
    )?;
    Ok(())
}

/// Submits the person's draft: it is locked from then on and its amount is charged. The amount
/// is computed again from the barème in force at submission.
pub fn submit(
    conn: &mut DbConnection,
    campaign: &Campaign,
    attachment: &Attachment,
    actor: &str,
    now: NaiveDateTime,
) -> Result<Declaration, ContributionError> {
    open_and_lock(conn, campaign, attachment)?;
    let draft = match Declaration::current(conn, &attachment.id)? {
        Some(current) if current.status == DeclarationStatus::Submitted => {
            return Err(ContributionError::DeclarationLocked)
        }
        Some(draft) => draft,
        None => return Err(ContributionError::NoDraft),
    };
    let declared = declared_of(&draft).ok_or(ContributionError::NoDraft)?;
    let (amount, scale) = amount_for(conn, campaign, attachment, &declared)?;
    let submitted = Declaration {
        status: DeclarationStatus::Submitted,
        amount_cents: amount,
        submitted_by: Some(actor.to_owned()),
        submitted_at: Some(now),
        updated_at: now,
        ..draft
    };
    submitted.update_draft(conn)?;
    Declaration::mark_submitted(conn, &submitted.id, actor, now)?;
    book_charge(conn, attachment, &submitted, &scale, now)?;
    Attachment::set_state(conn, &attachment.id, DeclarationState::Submitted, now)?;
    Ok(submitted)
}

/// Corrects a submitted declaration: the submitted version is superseded and its charge
/// cancelled; a new version, submitted at once with the reason given, is charged in its place.
pub fn correct(
    conn: &mut DbConnection,
    campaign: &Campaign,
    attachment: &Attachment,
    declared: &Declared,
    reason: &str,
    actor: &str,
    now: NaiveDateTime,
) -> Result<Declaration, ContributionError> {
    open_and_lock(conn, campaign, attachment)?;
    let previous = match Declaration::current(conn, &attachment.id)? {
        Some(current) if current.status == DeclarationStatus::Submitted => current,
        _ => return Err(ContributionError::NotSubmitted),
    };
    let (amount, scale) = amount_for(conn, campaign, attachment, declared)?;
    Declaration::mark_superseded(conn, &previous.id, now)?;
    let reference = format!("correction of declaration v{}", previous.version);
    let cancellation = LedgerEntryKind::ChargeCancellation;
    book_version(conn, attachment, &previous, cancellation, &reference, now)?;
    let (pp_category, new_member_year, headcount_hundredths) = columns(declared);
    let corrected = Declaration {
        id: db::new_id(),
        attachment_id: attachment.id.clone(),
        version: previous.version + 1,
        status: DeclarationStatus::Submitted,
        pp_category,
        new_member_year,
        headcount_hundredths,
        amount_cents: amount,
        correction_reason: Some(reason.to_owned()),
        created_by: Some(actor.to_owned()),
        created_at: now,
        updated_at: now,
        submitted_by: Some(actor.to_owned()),
        submitted_at: Some(now),
        superseded_at: None,
    };
    corrected.insert(conn)?;
    book_charge(conn, attachment, &corrected, &scale, now)?;
    Ok(corrected)
}
