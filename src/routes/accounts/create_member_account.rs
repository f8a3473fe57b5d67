use actix_web::{http::StatusCode, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RegistrationAccepted;
use crate::{
    context::ApiContext,
    db::{reference::Quality, registry::Member},
    domain::email::mask,
    error::{ApiError, ErrorCode, FieldIssue, Problem},
    i18n::Text,
    idempotency, limits, registration,
};

/// Create the ComptExpert account of a register member.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateMemberAccountRequest {
    /// The qualité chosen on the first screen (a `registry` qualité of `GET /v1/qualities`).
    #[schema(example = "expert_comptable_independant")]
    pub quality: String,
    /// The `member_ref` of the proposal the person recognised as themselves.
    #[schema(example = "0193b7e2-5c1a-7d4e-9f00-1a2b3c4d5e6f")]
    pub member_ref: String,
}

/// Create a member's ComptExpert account. The confirmation email goes to the address the register
/// holds, never to one typed by the caller; if the member already has an account the answer is
/// the same and the email gives the identifier and a reset link instead. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "registration",
    request_body = CreateMemberAccountRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for a retried request")),
    responses(
        (status = 202, description = "Email sent to the register's address", body = RegistrationAccepted),
        (status = 404, description = "`member_not_found`: unknown `member_ref`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`idempotency_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (unknown quality, external-form quality), `quality_mismatch`, `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts")]
pub async fn create_member_account(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    body: web::Json<CreateMemberAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key_of(&req)?;
    let request = body.into_inner();
    let fingerprint = serde_json::to_vec(&request).unwrap_or_default();
    idempotency::once(&ctx, "POST /v1/accounts", key, &fingerprint, || async {
        limits::enforce(
            &ctx,
            limits::REGISTRATION_PER_CLIENT,
            &limits::client_address(&req),
        )
        .await?;
        let frontend_url = ctx.settings.frontend_url.clone();
        let email = ctx
            .db
            .run(move |conn| {
                let quality = Quality::find(conn, &request.quality)?;
                let quality = match quality {
                    Some(q) if q.registration_path == "registry" => q,
                    Some(_) => return Err(ApiError::validation(vec![external_quality()])),
                    None => return Err(ApiError::validation(vec![unknown_quality()])),
                };
                let member =
                    Member::find(conn, &request.member_ref)?.ok_or_else(member_not_found)?;
                let member_quality = Quality::find(conn, &member.quality_code)?;
                if member_quality.is_none_or(|mq| mq.family != quality.family) {
                    return Err(quality_mismatch());
                }
                crate::db::write_transaction(conn, |conn| {
                    registration::register_member(conn, &member, &quality.code, &frontend_url)
                })?;
                Ok(member.email)
            })
            .await?;
        let body = RegistrationAccepted {
            status: "email_sent",
            email_masked: mask(&email),
        };
        Ok((
            StatusCode::ACCEPTED,
            serde_json::to_value(body).map_err(ApiError::internal)?,
        ))
    })
    .await
}

fn unknown_quality() -> FieldIssue {
    FieldIssue::new(
        "quality",
        "unknown_quality",
        Text::new("Qualité inconnue.", "Unknown quality."),
    )
}

fn external_quality() -> FieldIssue {
    FieldIssue::new(
        "quality",
        "external_form_quality",
        Text::new(
            "Cette qualité s'inscrit par le formulaire « Autre profil » (POST /v1/accounts/external).",
            "This quality registers through the \"Autre profil\" form (POST /v1/accounts/external).",
        ),
    )
}

fn member_not_found() -> ApiError {
    ApiError::of(ErrorCode::MemberNotFound)
}

fn quality_mismatch() -> ApiError {
    ApiError::of(ErrorCode::QualityMismatch)
}
