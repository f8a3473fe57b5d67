//! What the declaration, payment and document endpoints share: looking up the bureau, the
//! person and the campaign, the problems they answer, and the views they return.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{bureau_not_found, Money, RegionAccess};
use crate::domain::states::DeclarationStatus;
use crate::{
    contributions::{declarations::declared_of, ContributionError},
    db::{
        accounts::Account,
        attachments::Attachment,
        declarations::Declaration,
        portal,
        registry::{Bureau, Campaign, Firm},
        DbConnection,
    },
    domain::amount::{Declared, Headcount, NewMemberYear, PpCategory},
    error::{details, ApiError, ErrorCode, FieldIssue},
    i18n::Text,
    payments::PaymentError,
};

/// A visible bureau of the region, with its firm, or 404.
pub fn bureau_of(
    conn: &mut DbConnection,
    access: &RegionAccess,
    region_code: &str,
    bureau_ref: &str,
) -> Result<(Bureau, Firm), ApiError> {
    portal::visible_bureau(conn, &access.visible, region_code, bureau_ref)?
        .ok_or_else(bureau_not_found)
}

/// The region's current campaign; without one, nothing can be declared or paid.
pub fn campaign_of(access: &RegionAccess) -> Result<Campaign, ApiError> {
    access.campaign.clone().ok_or_else(campaign_closed)
}

/// A person attached to the bureau for the campaign, or 404.
pub fn person_of(
    conn: &mut DbConnection,
    person_id: &str,
    campaign: &Campaign,
    bureau: &Bureau,
) -> Result<Attachment, ApiError> {
    Attachment::find_in_bureau(conn, person_id, &campaign.id, &bureau.id)?
        .ok_or_else(person_not_found)
}

/// What a request declares for a person of the given kind, or 422 naming every wrong field.
pub fn declared_from(
    natural: bool,
    category: Option<&str>,
    new_member_year: Option<i32>,
    average_headcount: Option<&str>,
) -> Result<Declared, ApiError> {
    let mut issues = Vec::new();
    let declared = if natural {
        if average_headcount.is_some() {
            issues.push(FieldIssue::new(
                "average_headcount",
                "not_a_legal_person",
                Text::new(
                    "L'effectif moyen ne se déclare que pour une personne morale.",
                    "The average headcount is declared for legal persons only.",
                ),
            ));
        }
        let category = match category {
            None => {
                issues.push(FieldIssue::new(
                    "category",
                    "required",
                    Text::new(
                        "La catégorie de la personne physique est obligatoire.",
                        "The natural person's category is required.",
                    ),
                ));
                None
            }
            Some(value) => {
                let parsed = PpCategory::parse(value);
                if parsed.is_none() {
                    issues.push(FieldIssue::new(
                        "category",
                        "unknown_category",
                        Text::new(
                            "Catégorie inconnue : independant, salarie, agc_83ter, agc_83quater ou honoraire.",
                            "Unknown category: independant, salarie, agc_83ter, agc_83quater or honoraire.",
                        ),
                    ));
                }
                parsed
            }
        };
        let new_member = match new_member_year {
            None => None,
            Some(n) => {
                let parsed = NewMemberYear::from_number(n);
                if parsed.is_none() {
                    issues.push(FieldIssue::new(
                        "new_member_year",
                        "new_member_year",
                        Text::new(
                            "L'année de nouvel inscrit vaut 1 ou 2.",
                            "The new-member year is 1 or 2.",
                        ),
                    ));
                }
                parsed
            }
        };
        category.map(|category| Declared::Natural {
            category,
            new_member,
        })
    } else {
        if category.is_some() || new_member_year.is_some() {
            issues.push(FieldIssue::new(
                "category",
                "not_a_natural_person",
                Text::new(
                    "La catégorie et l'année de nouvel inscrit ne se déclarent que pour une personne physique.",
                    "The category and the new-member year are declared for natural persons only.",
                ),
            ));
        }
        match average_headcount.map(Headcount::parse) {
            Some(Some(headcount)) => Some(Declared::Legal { headcount }),
            Some(None) => {
                issues.push(FieldIssue::new(
                    "average_headcount",
                    "headcount",
                    Text::new(
                        "L'effectif moyen est un nombre positif avec au plus deux décimales (ex. « 12.50 »).",
                        "The average headcount is a positive number with at most two decimals (e.g. \"12.50\").",
                    ),
                ));
                None
            }
            None => {
                issues.push(FieldIssue::new(
                    "average_headcount",
                    "required",
                    Text::new(
                        "L'effectif moyen de l'année précédente est obligatoire.",
                        "The average headcount of the previous year is required.",
                    ),
                ));
                None
            }
        }
    };
    match declared {
        Some(declared) if issues.is_empty() => Ok(declared),
        _ => Err(ApiError::validation(issues)),
    }
}

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

/// Views of versions, with the identifiers of their authors.
pub fn declaration_views(
    conn: &mut DbConnection,
    versions: Vec<Declaration>,
) -> Result<Vec<DeclarationView>, ApiError> {
    let mut identifiers: HashMap<String, Option<String>> = HashMap::new();
    for id in versions
        .iter()
        .flat_map(|d| [d.created_by.clone(), d.submitted_by.clone()])
        .flatten()
    {
        if let std::collections::hash_map::Entry::Vacant(slot) = identifiers.entry(id) {
            let identifier = Account::find(conn, slot.key())?.map(|a| a.identifier);
            slot.insert(identifier);
        }
    }
    let who = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| identifiers.get(i).cloned().flatten())
    };
    Ok(versions
        .into_iter()
        .map(|d| {
            let headcount = match declared_of(&d) {
                Some(Declared::Legal { headcount }) => Some(headcount.to_string()),
                _ => None,
            };
            DeclarationView {
                created_by: who(&d.created_by),
                submitted_by: who(&d.submitted_by),
                id: d.id,
                person_id: d.attachment_id,
                version: d.version,
                status: d.status,
                category: d.pp_category,
                new_member_year: d.new_member_year,
                average_headcount: headcount,
                amount: Money::eur(d.amount_cents.into()),
                correction_reason: d.correction_reason,
                created_at: d.created_at.and_utc(),
                submitted_at: d.submitted_at.map(|t| t.and_utc()),
                superseded_at: d.superseded_at.map(|t| t.and_utc()),
            }
        })
        .collect())
}

/// 409 `campaign_closed`.
pub fn campaign_closed() -> ApiError {
    ApiError::of(ErrorCode::CampaignClosed)
}

/// 404 `person_not_found`.
pub fn person_not_found() -> ApiError {
    ApiError::of(ErrorCode::PersonNotFound)
}

impl From<ContributionError> for ApiError {
    fn from(error: ContributionError) -> Self {
        match error {
            ContributionError::CampaignClosed => campaign_closed(),
            ContributionError::ScaleMissing => ApiError::of(ErrorCode::ScaleMissing),
            ContributionError::DeclarationLocked => ApiError::of(ErrorCode::DeclarationLocked),
            ContributionError::NoDraft => ApiError::of(ErrorCode::NoDraft),
            ContributionError::NotSubmitted => ApiError::of(ErrorCode::DeclarationNotSubmitted),
            ContributionError::AlreadyAttached => ApiError::of(ErrorCode::AlreadyAttached),
            ContributionError::PersonDeclared => ApiError::of(ErrorCode::PersonDeclared),
            ContributionError::MemberNotFound => ApiError::of(ErrorCode::MemberNotFound).with_detail(details::NO_MEMBER_WITH_SUPRA_NUMBER),
            ContributionError::FirmNotFound => ApiError::of(ErrorCode::FirmNotFound),
            ContributionError::Invalid { field, code } => ApiError::validation(vec![FieldIssue::new(
                field,
                code,
                match code {
                    "new_member_year_not_applicable" => Text::new(
                        "La réduction de nouvel inscrit ne correspond pas à l'année d'inscription du membre au tableau.",
                        "The new-member reduction does not match the member's year of registration.",
                    ),
                    "amount_too_large" => Text::new(
                        "Avec cet effectif moyen, le montant dépasse ce que le portail peut appeler : vérifiez l'effectif ou contactez votre conseil régional.",
                        "With this average headcount the amount exceeds what the portal can call: check the headcount or contact your regional council.",
                    ),
                    "not_a_natural_person" => Text::new(
                        "Cette personne est une personne morale : déclarez son effectif moyen.",
                        "This person is a legal person: declare its average headcount.",
                    ),
                    _ => Text::new(
                        "Cette personne est une personne physique : déclarez sa catégorie.",
                        "This person is a natural person: declare their category.",
                    ),
                },
            )]),
            ContributionError::Database(e) => e.into(),
        }
    }
}

impl From<PaymentError> for ApiError {
    fn from(error: PaymentError) -> Self {
        match error {
            PaymentError::CampaignClosed => campaign_closed(),
            PaymentError::NothingToPay => ApiError::of(ErrorCode::NothingToPay),
            PaymentError::Overpayment { payable_cents } => ApiError::of(ErrorCode::Overpayment).with_detail(Text::owned(
                    format!("Le montant dépasse ce qui reste à régler : au plus {payable_cents} centimes (paiements en attente déduits)."),
                    format!("The amount exceeds what remains to be paid: at most {payable_cents} cents (pending payments deducted)."),
                ))
            .with_payable_cents(payable_cents),
            PaymentError::Database(e) => e.into(),
        }
    }
}
