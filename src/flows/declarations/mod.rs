//! Declaring the persons attached to a bureau: attach, detach, save, submit, correct, and the
//! history. Every one of them works on a bureau the caller may see in the region's current
//! campaign; the rules of the declaration itself are `contributions::declarations`'.

use std::collections::HashMap;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        attachments::Attachment,
        declarations::Declaration,
        registry::{Bureau, Campaign},
        DbConnection,
    },
    domain::amount::{Declared, Headcount, NewMemberYear, PpCategory},
    error::{ApiError, FieldIssue},
    flows::portal::{bureau_of, campaign_of, person_of, region_access, RegionAccess},
    i18n::Text,
};

pub mod attach_person;
pub mod correct;
pub mod detach_person;
pub mod history;
pub mod save;
pub mod submit;

/// A person attached to a bureau, as the paths name it.
#[derive(Debug)]
pub struct PersonAt {
    pub region_code: String,
    pub bureau_ref: String,
    /// The attachment's id (the `id` of the bureau's persons).
    pub person_id: String,
}

/// What a form declares, as typed: a natural person's category and new-member year, or a legal
/// person's average headcount.
#[derive(Debug, Default, Clone)]
pub struct DeclarationInput {
    pub category: Option<String>,
    pub new_member_year: Option<i32>,
    pub average_headcount: Option<String>,
}

impl DeclarationInput {
    /// What the form declares for a person of the given kind, or `validation_failed` naming
    /// every wrong field.
    pub fn declared_for(&self, natural: bool) -> Result<Declared, ApiError> {
        let mut issues = Vec::new();
        let declared = if natural {
            if self.average_headcount.is_some() {
                issues.push(FieldIssue::new(
                    "average_headcount",
                    "not_a_legal_person",
                    Text::new(
                        "L'effectif moyen ne se déclare que pour une personne morale.",
                        "The average headcount is declared for legal persons only.",
                    ),
                ));
            }
            let category = match self.category.as_deref() {
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
            let new_member = match self.new_member_year {
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
            if self.category.is_some() || self.new_member_year.is_some() {
                issues.push(FieldIssue::new(
                    "category",
                    "not_a_natural_person",
                    Text::new(
                        "La catégorie et l'année de nouvel inscrit ne se déclarent que pour une personne physique.",
                        "The category and the new-member year are declared for natural persons only.",
                    ),
                ));
            }
            match self.average_headcount.as_deref().map(Headcount::parse) {
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
}

/// One version of a declaration, with the identifiers of the accounts that wrote and
/// submitted it.
#[derive(Debug)]
pub struct DeclarationVersion {
    pub declaration: Declaration,
    pub created_by: Option<String>,
    pub submitted_by: Option<String>,
}

/// `versions` with their authors' identifiers, each account read once.
pub fn with_authors(
    conn: &mut DbConnection,
    versions: Vec<Declaration>,
) -> Result<Vec<DeclarationVersion>, ApiError> {
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
        .map(|declaration| DeclarationVersion {
            created_by: who(&declaration.created_by),
            submitted_by: who(&declaration.submitted_by),
            declaration,
        })
        .collect())
}

/// One version with its authors.
fn one(conn: &mut DbConnection, declaration: Declaration) -> Result<DeclarationVersion, ApiError> {
    with_authors(conn, vec![declaration])?
        .pop()
        .ok_or_else(|| ApiError::internal("no version"))
}

/// What a change to one person works with, inside its transaction.
struct InPerson<'a> {
    access: &'a RegionAccess,
    campaign: Campaign,
    person: Attachment,
}

/// Runs `work` on the person `at`, in one write transaction, once the caller may reach the
/// region, the bureau and the person in the current campaign (refused as `flows::portal`
/// refuses otherwise).
async fn change_person<T: Send + 'static>(
    ctx: &ApiContext,
    auth: &Authenticated,
    at: PersonAt,
    work: impl FnOnce(&mut DbConnection, InPerson<'_>) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let access = region_access(ctx, auth, at.region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            db::scoped_write_transaction(conn, |conn, touched| {
                let (campaign, person) = reach(conn, &access, &at)?;
                touched.region(&at.region_code);
                work(
                    conn,
                    InPerson {
                        access: &access,
                        campaign,
                        person,
                    },
                )
            })
        })
        .await
}

/// The current campaign and the person `at` in it, if the caller may reach them.
fn reach(
    conn: &mut DbConnection,
    access: &RegionAccess,
    at: &PersonAt,
) -> Result<(Campaign, Attachment), ApiError> {
    let (bureau, _): (Bureau, _) = bureau_of(conn, access, &at.region_code, &at.bureau_ref)?;
    let campaign = campaign_of(access)?;
    let person = person_of(conn, &at.person_id, &campaign, &bureau)?;
    Ok((campaign, person))
}
