use actix_web::{put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    domain::email::mask,
    error::{ApiError, Problem},
    flows::regions as flow,
    i18n::{Lang, Text},
};

/// Which address to keep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailSource {
    /// Keep the ComptExpert account's address (the regional file takes it).
    Comptexpert,
    /// Keep the regional file's address (the account takes it).
    File,
}

/// The choice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailChoiceRequest {
    pub choice: EmailSource,
}

/// The address now used by both records.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChoiceConfirmed {
    #[schema(example = "j…@cabinet.fr")]
    pub email_masked: String,
    /// The guide's confirmation message, in the response's language (French by default).
    pub message: String,
}

/// Resolve the email conflict: both the account and the regional file take the chosen address, in
/// one transaction, with a security event. When the file's address wins, the account's address
/// changes and the old address receives a notice.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code")),
    request_body = EmailChoiceRequest,
    responses(
        (status = 200, description = "Both records hold the chosen address", body = EmailChoiceConfirmed),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`no_email_conflict`, or `region_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: choice is neither `comptexpert` nor `file`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/portal/regions/{code}/email-choice")]
pub async fn email_choice(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    code: web::Path<String>,
    body: web::Json<EmailChoiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let region_code = code.into_inner();
    let choice = body.into_inner().choice;
    let choice = match choice {
        EmailSource::Comptexpert => flow::EmailSource::Account,
        EmailSource::File => flow::EmailSource::File,
    };
    let chosen = flow::choose_email(&ctx, &auth, region_code, choice).await?;
    let masked = mask(&chosen);
    Ok(HttpResponse::Ok().json(EmailChoiceConfirmed {
        message: Text::owned(
            format!("Votre choix a bien été enregistré : l'adresse {masked} est désormais utilisée pour votre compte ComptExpert et pour votre dossier régional."),
            format!("Your choice is saved: {masked} is now the address of your ComptExpert account and of your regional file."),
        )
        .get(Lang::current())
        .to_owned(),
        email_masked: masked,
    }))
}
