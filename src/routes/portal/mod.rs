//! The contributions portal (Parties 4.2 and 4.3 of the guide): region choice, regional dashboard,
//! bureau detail, the email-conflict choice, who manages which bureau, and declaring and paying
//! the contributions of the persons attached to a bureau, with their documents.
//!
//! A bureau the caller may not manage, or one of another region, is a 404 like a bureau that does
//! not exist: its existence is not revealed.

pub mod attach_person;
pub mod bureau_detail;
pub mod cancel_payment;
pub mod contributions;
pub mod correct_declaration;
pub mod create_payment;
pub mod declaration_history;
pub mod detach_person;
pub mod documents;
pub mod email_choice;
pub mod email_conflict;
pub mod get_payment;
pub mod list_bureaux;
pub mod list_regions;
pub mod managers;
pub mod save_declaration;
pub mod submit_declaration;
pub mod transfer_instructions;

use serde::Serialize;
use utoipa::ToSchema;

pub use crate::flows::portal::{
    bureau_not_found, email_conflict, region_access, region_not_found, viewer_of, RegionAccess,
    EMAIL_CHOICE_REL, EMAIL_CONFLICT_REL,
};

/// An amount of money: integer cents, never a float.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Money {
    /// Amount in cents (negative for a credit).
    #[schema(example = 123450)]
    pub amount_cents: i64,
    /// Always `EUR`.
    #[schema(example = "EUR")]
    pub currency: &'static str,
}

impl Money {
    /// Euros in cents.
    pub fn eur(amount_cents: i64) -> Self {
        Self {
            amount_cents,
            currency: "EUR",
        }
    }
}
