//! Attaching a person to a bureau for a campaign (a member who joined, a firm), and detaching
//! one that was attached by mistake or left before being declared.

use chrono::NaiveDateTime;

use super::ContributionError;
use crate::db::{
    self,
    attachments::Attachment,
    registry::{Campaign, Firm, Member},
    DbConnection, LockTarget,
};
use crate::domain::states::DeclarationState;

/// Who to attach.
#[derive(Debug, Clone)]
pub enum Person {
    /// A member (PP), by SUPRA number.
    Member { supra_number: String },
    /// A firm (PM), by reference.
    Firm { firm_ref: String },
}

/// Attaches a member or a firm to the bureau for the campaign, with nothing declared yet.
pub fn attach(
    conn: &mut DbConnection,
    campaign: &Campaign,
    bureau_id: &str,
    person: &Person,
    now: NaiveDateTime,
) -> Result<Attachment, ContributionError> {
    if !campaign.is_open {
        return Err(ContributionError::CampaignClosed);
    }
    db::lock_for_update(conn, LockTarget::Bureau, bureau_id)?;
    let (kind, member_id, firm_id) = match person {
        Person::Member { supra_number } => {
            let member = Member::find_by_supra_number(conn, supra_number)?
                .ok_or(ContributionError::MemberNotFound)?;
            ("PP", Some(member.id), None)
        }
        Person::Firm { firm_ref } => {
            let firm = Firm::find_by_ref(conn, firm_ref)?.ok_or(ContributionError::FirmNotFound)?;
            ("PM", None, Some(firm.id))
        }
    };
    if Attachment::exists(
        conn,
        &campaign.id,
        bureau_id,
        member_id.as_deref(),
        firm_id.as_deref(),
    )? {
        return Err(ContributionError::AlreadyAttached);
    }
    let attachment = Attachment {
        id: db::new_id(),
        campaign_id: campaign.id.clone(),
        bureau_id: bureau_id.to_owned(),
        person_kind: kind.to_owned(),
        member_id,
        firm_id,
        declaration_state: DeclarationState::ToDeclare,
        created_at: now,
        updated_at: now,
    };
    attachment.insert(conn)?;
    Ok(attachment)
}

/// Detaches a person who is not declared: an unsubmitted draft goes with them. A submitted
/// declaration, or anything charged, paid or reserved, keeps them attached (correct the
/// declaration instead; the ledger is never rewritten).
pub fn detach(
    conn: &mut DbConnection,
    campaign: &Campaign,
    attachment: &Attachment,
) -> Result<(), ContributionError> {
    super::declarations::open_and_lock(conn, campaign, attachment)?;
    if attachment.declaration_state == DeclarationState::Submitted
        || Attachment::has_bookings(conn, &attachment.id)?
    {
        return Err(ContributionError::PersonDeclared);
    }
    Attachment::delete(conn, &attachment.id)?;
    Ok(())
}
