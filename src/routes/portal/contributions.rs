//! What the declaration, payment and document endpoints share: the views they return and how
//! a declaration is read from a request (the lookups and refusals are `flows::portal`'s).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::Money;
use crate::domain::states::DeclarationStatus;
pub use crate::flows::portal::{
    bureau_of, campaign_closed, campaign_of, person_not_found, person_of,
};
use crate::{
    contributions::declarations::declared_of,
    db::{accounts::Account, declarations::Declaration, DbConnection},
    domain::amount::{Declared, Headcount, NewMemberYear, PpCategory},
    error::{ApiError, FieldIssue},
    i18n::Text,
};

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
