use actix_web::{http::StatusCode, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RegistrationAccepted;
use crate::{
    context::ApiContext,
    domain::{email::mask, email::Email, identifier::Identifier, person},
    error::{ApiError, ErrorCode, FieldIssue, Problem},
    idempotency, limits,
    registration::{self, ExternalProfile, ExternalRegistration},
};

/// The "Autre profil" form (guide 4.1), for firms' administrative staff (RAC) and anyone not in the register.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateExternalAccountRequest {
    /// Chosen identifier: 3 to 40 characters, unaccented letters, digits, `.`, `-`, `_`, starting with a letter.
    #[schema(example = "j.martin")]
    pub identifier: String,
    /// Email address; the confirmation link goes there.
    #[schema(example = "jeanne.martin@cabinet-exemple.fr")]
    pub email: String,
    /// `M` or `MME`.
    #[schema(example = "MME")]
    pub civility: String,
    #[schema(example = "Martin")]
    pub last_name: String,
    #[schema(example = "Jeanne")]
    pub first_name: String,
    /// Optional: 10 digits (`0X XX XX XX XX`) or an international number (`+33…`, `+262…`).
    #[schema(example = "01 23 45 67 89")]
    pub phone: Option<String>,
    #[schema(example = "12 rue de la Paix")]
    pub address: String,
    #[schema(example = "Paris")]
    pub city: String,
    /// 5 digits.
    #[schema(example = "75002")]
    pub postal_code: String,
    #[schema(example = 1985)]
    pub birth_year: i32,
    /// Agrees to receive the Ordre's communications.
    pub accepts_communications: bool,
}

/// Create an "Autre profil" (RAC) account with the external form. An email address that already
/// has an account gets the same answer and a notice instead of a second account. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "registration",
    request_body = CreateExternalAccountRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for a retried request")),
    responses(
        (status = 202, description = "Email sent", body = RegistrationAccepted),
        (status = 409, description = "`identifier_taken` or `idempotency_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` listing every invalid field, or `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/external")]
pub async fn create_external_account(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    body: web::Json<CreateExternalAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key_of(&req)?;
    let request = body.into_inner();
    let fingerprint = serde_json::to_vec(&request).unwrap_or_default();
    let profile = validate(request)?;
    idempotency::once(
        &ctx,
        "POST /v1/accounts/external",
        key,
        &fingerprint,
        || async {
            limits::enforce(
                &ctx,
                limits::REGISTRATION_PER_CLIENT,
                &limits::client_address(&req),
            )
            .await?;
            let frontend_url = ctx.settings.frontend_url.clone();
            let email = profile.email.clone();
            let outcome = ctx
                .db
                .run(move |conn| {
                    Ok(crate::db::write_transaction(conn, |conn| {
                        registration::register_external(conn, &profile, &frontend_url)
                    })?)
                })
                .await?;
            if outcome == ExternalRegistration::IdentifierTaken {
                return Err(identifier_taken());
            }
            let body = RegistrationAccepted {
                status: "email_sent",
                email_masked: mask(&email),
            };
            Ok((
                StatusCode::ACCEPTED,
                serde_json::to_value(body).map_err(ApiError::internal)?,
            ))
        },
    )
    .await
}

/// Checks every field and reports every problem at once.
fn validate(request: CreateExternalAccountRequest) -> Result<ExternalProfile, ApiError> {
    let mut issues: Vec<FieldIssue> = Vec::new();
    let mut keep = |result: Result<String, FieldIssue>| result.map_err(|e| issues.push(e)).ok();
    let identifier = keep(Identifier::parse(&request.identifier).map(Identifier::into_inner));
    let email = keep(Email::parse(&request.email, "email").map(Email::into_inner));
    let civility = keep(person::parse_civility(&request.civility).map(str::to_owned));
    let last_name = keep(person::parse_text(&request.last_name, "last_name", 100));
    let first_name = keep(person::parse_text(&request.first_name, "first_name", 100));
    let phone = match request
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(raw) => keep(person::parse_phone(raw)).map(Some),
        None => Some(None),
    };
    let address = keep(person::parse_text(&request.address, "address", 200));
    let city = keep(person::parse_text(&request.city, "city", 100));
    let postal_code = keep(person::parse_postal_code(
        &request.postal_code,
        "postal_code",
    ));
    let birth_year = person::parse_birth_year(request.birth_year)
        .map_err(|e| issues.push(e))
        .ok();
    match (
        identifier,
        email,
        civility,
        last_name,
        first_name,
        phone,
        address,
        city,
        postal_code,
        birth_year,
    ) {
        (
            Some(identifier),
            Some(email),
            Some(civility),
            Some(last_name),
            Some(first_name),
            Some(phone),
            Some(address),
            Some(city),
            Some(postal_code),
            Some(birth_year),
        ) if issues.is_empty() => Ok(ExternalProfile {
            identifier,
            email,
            civility,
            last_name,
            first_name,
            phone,
            address,
            city,
            postal_code,
            birth_year,
            accepts_communications: request.accepts_communications,
        }),
        _ => Err(ApiError::validation(issues)),
    }
}

fn identifier_taken() -> ApiError {
    ApiError::of(ErrorCode::IdentifierTaken)
}
