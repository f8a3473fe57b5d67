use actix_web::{post, web, HttpResponse};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::states::SecurityEventKind;
use crate::{
    context::ApiContext,
    db::{
        self,
        email_verifications::EmailVerification,
        schema::accounts,
        security_events::{NewEvent, SecurityEvent},
    },
    domain::tokens,
    error::{details, ApiError, ErrorCode, Problem},
};

/// The address now in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailConfirmed {
    /// Always `email_changed`.
    #[schema(example = "email_changed")]
    pub status: &'static str,
    #[schema(example = "marie.durand@nouveau-cabinet.fr")]
    pub email: String,
}

/// Confirm a new email address with the token of the link sent to it. Works once.
#[utoipa::path(
    operation_id = "confirm_email_change",
    tag = "account",
    params(("token" = String, Path, description = "The token from the emailed link")),
    responses(
        (status = 200, description = "The account now uses the new address", body = EmailConfirmed),
        (status = 410, description = "`link_invalid`: unknown, used or expired", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/email-verifications/{token}")]
pub async fn confirm(
    ctx: web::Data<ApiContext>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    if !tokens::is_well_formed(&token) {
        return Err(link_invalid());
    }
    let email = ctx
        .db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let now = db::now();
                let pending =
                    EmailVerification::consume(conn, &token, now)?.ok_or_else(link_invalid)?;
                diesel::update(accounts::table.find(&pending.account_id))
                    .set((
                        accounts::email.eq(&pending.new_email),
                        accounts::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &pending.account_id,
                        kind: SecurityEventKind::EmailChanged,
                        method: None,
                        client_address: None,
                        session_id: None,
                    },
                    now,
                )?;
                Ok(pending.new_email)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(EmailConfirmed {
        status: "email_changed",
        email,
    }))
}

fn link_invalid() -> ApiError {
    ApiError::of(ErrorCode::LinkInvalid).with_detail(details::EMAIL_CHANGE_LINK)
}
