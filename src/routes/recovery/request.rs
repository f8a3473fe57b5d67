use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        password_tokens::{purpose, PasswordToken},
    },
    domain::email::{log_form, Email},
    error::{ApiError, Problem},
    limits,
    mail::{outbox, templates::Template},
    registration::{password_link, RESET_HOURS},
};

/// The address the account uses.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecoveryRequest {
    #[schema(example = "marie.durand@cabinet-durand.fr")]
    pub email: String,
}

/// Always the same answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryAccepted {
    /// Always `email_sent_if_known`.
    #[schema(example = "email_sent_if_known")]
    pub status: &'static str,
}

/// "Identifiant ou mot de passe oublié": if accounts use this address, an email lists each
/// identifier with a one-time reset link (1 hour). The answer is the same, in the same time,
/// whether or not the address is known: the lookup happens after the answer.
#[utoipa::path(
    operation_id = "request_recovery",
    tag = "sessions",
    request_body = RecoveryRequest,
    responses(
        (status = 202, description = "An email was sent if the address is known", body = RecoveryAccepted),
        (status = 422, description = "`validation_failed`: not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/recovery")]
pub async fn request(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    body: web::Json<RecoveryRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.into_inner().email, "email")
        .map_err(|issue| ApiError::validation(vec![issue]))?
        .into_inner();
    limits::enforce(
        &ctx,
        limits::RECOVERY_PER_CLIENT,
        &limits::client_address(&req),
    )
    .await?;
    limits::enforce(&ctx, limits::RECOVERY_PER_EMAIL, &email).await?;
    let ctx = ctx.into_inner();
    actix_web::rt::spawn(async move {
        let frontend_url = ctx.settings.frontend_url.clone();
        let domain = log_form(&email);
        let result = ctx
            .db
            .run(move |conn| {
                Ok(crate::db::session_write_transaction(conn, |conn| {
                    let accounts = Account::find_by_email(conn, &email)?;
                    if accounts.is_empty() {
                        return diesel::QueryResult::Ok(());
                    }
                    let now = db::now();
                    let mut links = Vec::with_capacity(accounts.len());
                    for account in &accounts {
                        let token = PasswordToken::issue(
                            conn,
                            &account.id,
                            purpose::RESET,
                            Duration::hours(RESET_HOURS.into()),
                            now,
                        )?;
                        links.push((
                            account.identifier.clone(),
                            password_link(&frontend_url, &token),
                        ));
                    }
                    outbox::enqueue(
                        conn,
                        &email,
                        &Template::PasswordReset {
                            accounts: links,
                            valid_hours: RESET_HOURS,
                        },
                    )
                })?)
            })
            .await;
        if let Err(error) = result {
            tracing::error!(%error, email = %domain, "recovery email could not be queued");
        }
    });
    Ok(HttpResponse::Accepted().json(RecoveryAccepted {
        status: "email_sent_if_known",
    }))
}
