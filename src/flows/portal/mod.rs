//! The contributions portal's shared rules: who may see a region (its email-conflict gate), which
//! bureaux, firms and persons the caller may reach there (anything else is a 404, as if it did
//! not exist), and how the refusals of `contributions` and `payments` read as problems.

use actix_web::http::header;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    contributions::ContributionError,
    db::{
        accounts::Account,
        attachments::Attachment,
        portal::{self, Viewer},
        registry::{Bureau, Campaign, Firm},
        DbConnection,
    },
    documents::format_eur,
    domain::money::MAX_PAYMENT_CENTS,
    error::{details, ApiError, ErrorCode, FieldIssue},
    i18n::Text,
    payments::PaymentError,
};

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

/// 409 `campaign_closed`.
pub fn campaign_closed() -> ApiError {
    ApiError::of(ErrorCode::CampaignClosed)
}

/// 404 `person_not_found`.
pub fn person_not_found() -> ApiError {
    ApiError::of(ErrorCode::PersonNotFound)
}

/// 422 `amount_too_large`: a payment above [`MAX_PAYMENT_CENTS`], given or as everything that
/// remains to pay; the detail names the maximum.
pub fn amount_too_large() -> ApiError {
    let fr = format_eur(MAX_PAYMENT_CENTS);
    // `1 000 000 000,00 €` → `€1,000,000,000.00`.
    let en = format!(
        "€{}",
        fr.trim_end_matches("\u{a0}€")
            .replace(',', ".")
            .replace('\u{a0}', ",")
    );
    ApiError::of(ErrorCode::AmountTooLarge).with_detail(Text::owned(
        format!("Un paiement ne peut dépasser {MAX_PAYMENT_CENTS} centimes ({fr}) : réglez le solde en plusieurs paiements."),
        format!("A payment cannot exceed {MAX_PAYMENT_CENTS} cents ({en}): pay the balance in several payments."),
    ))
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
            PaymentError::AmountTooLarge => amount_too_large(),
            PaymentError::Database(e) => e.into(),
        }
    }
}
