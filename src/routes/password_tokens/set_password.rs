use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{check_shape, link_invalid};
use crate::{
    auth::password as hashing,
    context::ApiContext,
    db::{self, accounts::Account, password_tokens::PasswordToken},
    domain::password,
    error::{ApiError, Problem},
    mail::{outbox, templates::Template},
};

/// The new password, twice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPasswordRequest {
    /// At least 6 characters (or the configured minimum), with a digit and a special character,
    /// not containing the identifier.
    #[schema(example = "Cabinet-2026!")]
    pub password: String,
    /// The same password again.
    #[schema(example = "Cabinet-2026!")]
    pub password_confirmation: String,
}

/// Set the password through an emailed link: activates a pending account (activation) or
/// replaces a forgotten password (reset). The link works once.
#[utoipa::path(
    tag = "registration",
    params(("token" = String, Path, description = "The token from the emailed link")),
    request_body = SetPasswordRequest,
    responses(
        (status = 204, description = "Password set; the account is active"),
        (status = 410, description = "`link_invalid`: unknown, used or expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password_policy`: every rule broken is listed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/password-tokens/{token}")]
pub async fn set_password(
    ctx: web::Data<ApiContext>,
    token: web::Path<String>,
    body: web::Json<SetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    check_shape(&token)?;
    let SetPasswordRequest {
        password,
        password_confirmation,
    } = body.into_inner();

    let lookup = token.clone();
    let (link, account) = ctx
        .db
        .run(move |conn| Ok(PasswordToken::find_valid(conn, &lookup, db::now())?))
        .await?
        .ok_or_else(link_invalid)?;

    let mut issues = password::check(
        &password,
        ctx.settings.password_min_length,
        Some(&account.identifier),
        "password",
    );
    issues.extend(password::check_confirmation(
        &password,
        &password_confirmation,
        "password_confirmation",
    ));
    if !issues.is_empty() {
        return Err(ApiError::password_policy(issues));
    }
    let password_hash = hashing::hash_async(password)
        .await
        .map_err(ApiError::internal)?;

    ctx.db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let now = db::now();
                // The conditional update makes the link single use even when two requests race.
                if !PasswordToken::consume(conn, &link.id, now)? {
                    return Err(link_invalid());
                }
                PasswordToken::consume_all_for_account(conn, &account.id, now)?;
                Account::set_password(conn, &account.id, &password_hash, now)?;
                if link.purpose == db::password_tokens::purpose::RESET {
                    db::sessions::Session::revoke_all_for_account(
                        conn,
                        &account.id,
                        None,
                        now,
                        "password_reset",
                    )?;
                    outbox::enqueue(
                        conn,
                        &account.email,
                        &Template::PasswordChanged {
                            greeting_name: account.greeting_name(),
                        },
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
