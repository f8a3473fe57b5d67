//! What the declaration, payment and document endpoints share: the views they return (the
//! lookups and refusals are `flows::portal`'s).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::Money;
use crate::domain::states::DeclarationStatus;
pub use crate::flows::portal::{
    bureau_of, campaign_closed, campaign_of, person_not_found, person_of,
};
use crate::{
    contributions::declarations::declared_of, domain::amount::Declared,
    flows::declarations::DeclarationVersion,
};

/// One version of a person's declaration.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationView {
    pub id: String,
    /// The attached person (the `id` of the bureau's persons).
    pub person_id: String,
    /// 1 for the first version; each correction adds one.
    pub version: i32,
    /// `draft`, `submitted` (locked, charged) or `superseded` (replaced by a correction).
    #[schema(value_type = String, example = "submitted")]
    pub status: DeclarationStatus,
    /// PP: `independant`, `salarie`, `agc_83ter`, `agc_83quater` or `honoraire`.
    #[schema(example = "independant")]
    pub category: Option<String>,
    /// PP: 1 or 2 when a new-member reduction applies.
    pub new_member_year: Option<i32>,
    /// PM: the average headcount of the previous year, two decimals.
    #[schema(example = "12.50")]
    pub average_headcount: Option<String>,
    /// The amount computed from the barème.
    pub amount: Money,
    /// Why this version corrects the previous one.
    pub correction_reason: Option<String>,
    /// Identifier of the account that wrote this version.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Identifier of the account that submitted it.
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
}

impl From<DeclarationVersion> for DeclarationView {
    fn from(version: DeclarationVersion) -> Self {
        let DeclarationVersion {
            declaration: d,
            created_by,
            submitted_by,
        } = version;
        let headcount = match declared_of(&d) {
            Some(Declared::Legal { headcount }) => Some(headcount.to_string()),
            _ => None,
        };
        Self {
            created_by,
            submitted_by,
            id: d.id,
            person_id: d.attachment_id,
            version: d.version,
            status: d.status,
            category: d.pp_category,
            new_member_year: d.new_member_year,
            average_headcount: headcount,
            amount: Money::eur(d.amount_cents),
            correction_reason: d.correction_reason,
            created_at: d.created_at.and_utc(),
            submitted_at: d.submitted_at.map(|t| t.and_utc()),
            superseded_at: d.superseded_at.map(|t| t.and_utc()),
        }
    }
}
