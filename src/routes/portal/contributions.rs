//! What the declaration, payment and document endpoints share: looking up the bureau, the
//! person and the campaign, the problems they answer, and the views they return.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{bureau_not_found, Money, RegionAccess};
use crate::domain::states::DeclarationStatus;
use crate::{
    contributions::{
        amount::{Declared, Headcount, NewMemberYear, PpCategory},
        declarations::declared_of,
        ContributionError,
    },
    db::{
        accounts::Account,
        attachments::Attachment,
        declarations::Declaration,
        portal,
        registry::{Bureau, Campaign, Firm},
        DbConnection,
    },
    error::{ApiError, FieldIssue},
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
    ApiError::new(
        StatusCode::CONFLICT,
        "campaign_closed",
        Text::new("Campagne fermée", "Campaign closed"),
        Text::new(
            "La campagne de cotisations de cette région est fermée : déclarations et paiements en ligne ne sont plus acceptés.",
            "This region's contribution campaign is closed: online declarations and payments are no longer accepted.",
        ),
    )
}

/// 404 `person_not_found`.
pub fn person_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "person_not_found",
        Text::new("Personne introuvable", "Person not found"),
        Text::new(
            "Aucune personne rattachée à ce bureau pour la campagne ne porte cet identifiant.",
            "No person attached to this bureau for the campaign has this id.",
        ),
    )
}

impl From<ContributionError> for ApiError {
    fn from(error: ContributionError) -> Self {
        let conflict = |code, title: Text, detail: Text| {
            ApiError::new(StatusCode::CONFLICT, code, title, detail)
        };
        match error {
            ContributionError::CampaignClosed => campaign_closed(),
            ContributionError::ScaleMissing => conflict(
                "scale_missing",
                Text::new("Barème non chargé", "No barème loaded"),
                Text::new(
                    "Le barème de cette campagne n'est pas encore chargé par le conseil régional.",
                    "The regional council has not loaded this campaign's barème yet.",
                ),
            ),
            ContributionError::DeclarationLocked => conflict(
                "declaration_locked",
                Text::new("Déclaration verrouillée", "Declaration locked"),
                Text::new(
                    "Cette déclaration est soumise : elle ne peut plus être modifiée que par une correction.",
                    "This declaration is submitted: it can only be changed by a correction.",
                ),
            ),
            ContributionError::NoDraft => conflict(
                "no_draft",
                Text::new("Aucun brouillon", "No draft"),
                Text::new(
                    "Enregistrez d'abord la déclaration en brouillon.",
                    "Save the declaration as a draft first.",
                ),
            ),
            ContributionError::NotSubmitted => conflict(
                "declaration_not_submitted",
                Text::new("Déclaration non soumise", "Declaration not submitted"),
                Text::new(
                    "Seule une déclaration soumise se corrige ; un brouillon se modifie directement.",
                    "Only a submitted declaration is corrected; a draft is simply saved again.",
                ),
            ),
            ContributionError::AlreadyAttached => conflict(
                "already_attached",
                Text::new("Déjà rattachée", "Already attached"),
                Text::new(
                    "Cette personne est déjà rattachée à ce bureau pour la campagne.",
                    "This person is already attached to this bureau for the campaign.",
                ),
            ),
            ContributionError::PersonDeclared => conflict(
                "person_declared",
                Text::new("Personne déclarée", "Person declared"),
                Text::new(
                    "Cette personne est déclarée (ou a des montants appelés ou réglés) : elle reste rattachée. Corrigez sa déclaration si besoin.",
                    "This person is declared (or has amounts called or paid): they stay attached. Correct the declaration if needed.",
                ),
            ),
            ContributionError::MemberNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "member_not_found",
                Text::new("Membre introuvable", "Member not found"),
                Text::new(
                    "Aucun membre du tableau ne porte ce numéro SUPRA.",
                    "No member of the register has this SUPRA number.",
                ),
            ),
            ContributionError::FirmNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "firm_not_found",
                Text::new("Société introuvable", "Firm not found"),
                Text::new(
                    "Aucune société ne porte cette référence.",
                    "No firm has this reference.",
                ),
            ),
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
            PaymentError::NothingToPay => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "nothing_to_pay",
                Text::new("Rien à régler", "Nothing to pay"),
                Text::new(
                    "Il ne reste rien à régler (les paiements en attente couvrent déjà le solde).",
                    "Nothing remains to be paid (pending payments already cover the balance).",
                ),
            ),
            PaymentError::Overpayment { payable_cents } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "overpayment",
                Text::new("Montant supérieur au solde", "Amount above the balance"),
                Text::owned(
                    format!("Le montant dépasse ce qui reste à régler : au plus {payable_cents} centimes (paiements en attente déduits)."),
                    format!("The amount exceeds what remains to be paid: at most {payable_cents} cents (pending payments deducted)."),
                ),
            )
            .with_payable_cents(payable_cents),
            PaymentError::Database(e) => e.into(),
        }
    }
}
