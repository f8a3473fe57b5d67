use actix_web::{http::StatusCode, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RegistrationAccepted;
use crate::{
    context::ApiContext,
    domain::email::mask,
    error::{ApiError, Problem},
    flows::{
        accounts::register_rac::{register_rac, RacForm},
        Client,
    },
    idempotency,
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
    let profile = RacForm::from(request).validate()?;
    let client = Client::of_request(&req);
    let key = idempotency::of_client(key, &client.address);
    idempotency::once(
        &ctx,
        "POST /v1/accounts/external",
        key,
        &fingerprint,
        || async {
            let registered = register_rac(&ctx, profile, client).await?;
            let body = RegistrationAccepted {
                status: "email_sent",
                email_masked: mask(&registered.email),
            };
            Ok((
                StatusCode::ACCEPTED,
                serde_json::to_value(body).map_err(ApiError::internal)?,
            ))
        },
    )
    .await
}

impl From<CreateExternalAccountRequest> for RacForm {
    fn from(request: CreateExternalAccountRequest) -> Self {
        let CreateExternalAccountRequest {
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
            accepts_communications,
        } = request;
        Self {
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
            accepts_communications,
        }
    }
}
