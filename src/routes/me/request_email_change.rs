use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::change_password::verify_current_password;
use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        email_verifications::{EmailVerification, VERIFICATION_HOURS},
        security_events::{NewEvent, SecurityEvent},
    },
    domain::email::{mask, Email},
    error::{ApiError, Problem},
    mail::{outbox, templates::Template},
};

/// The new address, confirmed by the current password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailChangeRequest {
    #[schema(example = "marie.durand@nouveau-cabinet.fr")]
    pub new_email: String,
    pub current_password: String,
}

/// The verification link is on its way to the new address.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangePending {
    /// Always `verification_sent`.
    #[schema(example = "verification_sent")]
    pub status: &'static str,
    /// The new address, masked.
    #[schema(example = "m…@nouveau-cabinet.fr")]
    pub new_email_masked: String,
}

/// Change one's email ("Changer mon email"): a verification link goes to the new address and a
/// notice to the current one; the change applies when the link is opened
/// (`POST /v1/email-verifications/{token}`).
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = EmailChangeRequest,
    responses(
        (status = 202, description = "Verification sent to the new address", body = EmailChangePending),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`current_password_incorrect`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: invalid or unchanged address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/email-change")]
pub async fn request_email_change(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    body: web::Json<EmailChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let EmailChangeRequest {
        new_email,
        current_password,
    } = body.into_inner();
    let new_email = Email::parse(&new_email, "new_email")
        .map_err(|issue| ApiError::validation(vec![issue]))?
        .into_inner();
    let account = verify_current_password(&ctx, &auth, current_password).await?;
    if account.email == new_email {
        return Err(ApiError::validation(vec![crate::error::FieldIssue::new(
            "new_email",
            "unchanged",
            crate::i18n::Text::new("C'est déjà votre adresse.", "This is already your address."),
        )]));
    }
    let frontend_url = ctx.settings.frontend_url.clone();
    let pending = new_email.clone();
    ctx.db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                let now = db::now();
                let token = EmailVerification::issue(conn, &account.id, &pending, now)?;
                outbox::enqueue(
                    conn,
                    &pending,
                    &Template::EmailChangeVerification {
                        greeting_name: account.greeting_name(),
                        link: format!(
                            "{frontend_url}{}#token={token}",
                            crate::front_end::EMAIL_VERIFICATION_PAGE
                        ),
                        valid_hours: VERIFICATION_HOURS,
                    },
                )?;
                outbox::enqueue(
                    conn,
                    &account.email,
                    &Template::EmailChangeNotice {
                        greeting_name: account.greeting_name(),
                        new_email_masked: mask(&pending),
                    },
                )?;
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind: SecurityEventKind::EmailChangeRequested,
                        method: None,
                        client_address: None,
                        session_id: Some(&auth.session_id),
                    },
                    now,
                )
            })?)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(EmailChangePending {
        status: "verification_sent",
        new_email_masked: mask(&new_email),
    }))
}
