//! The contributions portal (Parties 4.2 and 4.3 of the guide): region choice, regional dashboard,
//! bureau detail, the email-conflict choice, who manages which bureau, and declaring and paying
//! the contributions of the persons attached to a bureau, with their documents.
//!
//! A bureau the caller may not manage, or one of another region, is a 404 like a bureau that does
//! not exist: its existence is not revealed.

pub mod attach_person;
pub mod bureau_detail;
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

use actix_web::http::header;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        accounts::Account,
        portal::{self, Viewer},
        registry::Campaign,
        DbConnection,
    },
    error::{ApiError, ErrorCode},
    i18n::Text,
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

/// What a region's portal endpoints work with once access is granted.
pub struct RegionAccess {
    pub account: Account,
    pub viewer: Viewer,
    pub visible: Vec<String>,
    pub campaign: Option<Campaign>,
}

/// The account behind a token, as a portal viewer.
pub fn viewer_of(
    conn: &mut DbConnection,
    auth: &Authenticated,
) -> Result<(Account, Viewer), ApiError> {
    let account = Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
    let viewer = Viewer {
        account_id: account.id.clone(),
        member_id: account.member_id.clone(),
    };
    Ok((account, viewer))
}

/// Loads what a region endpoint needs, refusing with 404 for an unknown region and 409
/// `email_conflict` while the account's email and the regional file's differ (guide 4.3).
pub async fn region_access(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
) -> Result<RegionAccess, ApiError> {
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            if !crate::db::reference::Region::exists(conn, &region_code)? {
                return Err(region_not_found());
            }
            let (account, viewer) = viewer_of(conn, &auth)?;
            if let Some(file_email) = portal::regional_file_email(conn, &viewer, &region_code)? {
                if !file_email.eq_ignore_ascii_case(&account.email) {
                    return Err(email_conflict(&region_code));
                }
            }
            let visible = portal::visible_bureau_ids(conn, &viewer)?;
            let campaign = portal::current_campaign(conn, &region_code)?;
            Ok(RegionAccess {
                account,
                viewer,
                visible,
                campaign,
            })
        })
        .await
}

/// 404 for a region code that does not exist.
pub fn region_not_found() -> ApiError {
    ApiError::of(ErrorCode::RegionNotFound)
}

/// 404 for a bureau the caller may not see (or that does not exist).
pub fn bureau_not_found() -> ApiError {
    ApiError::of(ErrorCode::BureauNotFound)
}

/// Relation of the `Link` to `GET …/email-conflict` (the two addresses, masked).
pub const EMAIL_CONFLICT_REL: &str = "email-conflict";
/// Relation of the `Link` to `PUT …/email-choice` (the choice that resolves the conflict).
pub const EMAIL_CHOICE_REL: &str = "email-choice";

/// 409 while the email conflict of the region is unresolved. Its `Link` header leads to both
/// steps: `rel="email-conflict"` to read the two addresses, `rel="email-choice"` to choose one.
pub fn email_conflict(region_code: &str) -> ApiError {
    let conflict = format!("/v1/portal/regions/{region_code}/email-conflict");
    let choice = format!("/v1/portal/regions/{region_code}/email-choice");
    ApiError::of(ErrorCode::EmailConflict).with_detail(Text::owned(
            format!(
                "L'adresse email de votre compte ComptExpert diffère de celle de votre dossier régional. Consultez les deux adresses ({conflict}) puis choisissez celle à conserver ({choice})."
            ),
            format!(
                "Your ComptExpert email address differs from the one on your regional file. Read both addresses ({conflict}), then choose the one to keep ({choice})."
            ),
        ))
    .with_header(
        header::LINK,
        format!(
            "<{conflict}>; rel=\"{EMAIL_CONFLICT_REL}\", <{choice}>; rel=\"{EMAIL_CHOICE_REL}\""
        ),
    )
}
