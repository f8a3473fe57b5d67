//! « Autre profil »: the external form for firms' administrative staff (RAC) and anyone not in
//! the register (guide 4.1).
//!
//! An address that already has an account ends like a new one for the caller, and a notice goes
//! to that address instead of a second account. Only a taken identifier is told: the caller chose
//! it, so saying so reveals nothing new.

use crate::{
    context::ApiContext,
    domain::{email::Email, identifier::Identifier, person},
    error::{ApiError, ErrorCode, FieldIssue},
    flows::Client,
    limits,
    registration::{self, ExternalRegistration},
};

pub use crate::registration::ExternalProfile;

/// The form as typed.
pub struct RacForm {
    /// Chosen identifier.
    pub identifier: String,
    /// Email address; the confirmation link goes there.
    pub email: String,
    /// `M` or `MME`.
    pub civility: String,
    /// Last name.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Optional phone number; blank counts as none.
    pub phone: Option<String>,
    /// Postal address.
    pub address: String,
    /// City.
    pub city: String,
    /// Postal code (5 digits).
    pub postal_code: String,
    /// Year of birth.
    pub birth_year: i32,
    /// Agrees to receive the Ordre's communications.
    pub accepts_communications: bool,
}

/// A registration taken into account: an email is queued to the profile's address.
#[derive(Debug)]
pub struct RacRegistered {
    /// The address the email went to.
    pub email: String,
    /// A new account, or a notice to an address already in use (the caller is told neither).
    pub registration: ExternalRegistration,
}

impl RacForm {
    /// Checks every field and reports every problem at once. Kept apart from [`register_rac`]
    /// so that a malformed form is refused before an `Idempotency-Key` is reserved for it.
    pub fn validate(self) -> Result<ExternalProfile, ApiError> {
        let mut issues: Vec<FieldIssue> = Vec::new();
        let mut keep = |result: Result<String, FieldIssue>| result.map_err(|e| issues.push(e)).ok();
        let identifier = keep(Identifier::parse(&self.identifier).map(Identifier::into_inner));
        let email = keep(Email::parse(&self.email, "email").map(Email::into_inner));
        let civility = keep(person::parse_civility(&self.civility).map(str::to_owned));
        let last_name = keep(person::parse_text(&self.last_name, "last_name", 100));
        let first_name = keep(person::parse_text(&self.first_name, "first_name", 100));
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(raw) => keep(person::parse_phone(raw)).map(Some),
            None => Some(None),
        };
        let address = keep(person::parse_text(&self.address, "address", 200));
        let city = keep(person::parse_text(&self.city, "city", 100));
        let postal_code = keep(person::parse_postal_code(&self.postal_code, "postal_code"));
        let birth_year = person::parse_birth_year(self.birth_year)
            .map_err(|e| issues.push(e))
            .ok();
        // Every field was read (and every issue noted) before this: the first missing one only
        // tells that there were issues.
        let profile = (|| {
            Some(ExternalProfile {
                identifier: identifier?,
                email: email?,
                civility: civility?,
                last_name: last_name?,
                first_name: first_name?,
                phone: phone?,
                address: address?,
                city: city?,
                postal_code: postal_code?,
                birth_year: birth_year?,
                accepts_communications: self.accepts_communications,
            })
        })();
        match profile {
            Some(profile) if issues.is_empty() => Ok(profile),
            _ => Err(ApiError::validation(issues)),
        }
    }
}

/// Creates the RAC account of `profile` (see [`RacForm::validate`]), or sends the notice to an
/// address already in use. Refused with `identifier_taken` when the identifier has an owner.
pub async fn register_rac(
    ctx: &ApiContext,
    profile: ExternalProfile,
    client: Client,
) -> Result<RacRegistered, ApiError> {
    limits::enforce(ctx, limits::REGISTRATION_PER_CLIENT, &client.address).await?;
    let frontend_url = ctx.settings.frontend_url.clone();
    let now = ctx.clock.now();
    let email = profile.email.clone();
    let registration = ctx
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                registration::register_external(conn, &profile, &frontend_url, now)
            })?)
        })
        .await?;
    if registration == ExternalRegistration::IdentifierTaken {
        return Err(ApiError::of(ErrorCode::IdentifierTaken));
    }
    Ok(RacRegistered {
        email,
        registration,
    })
}
