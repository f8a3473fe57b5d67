use actix_web::{put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::{
        extractor::Authenticated,
        password::{self as hashing, Verification},
    },
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        login_throttles,
        password_tokens::PasswordToken,
        security_events::{NewEvent, SecurityEvent},
        sessions::Session,
    },
    domain::password,
    error::{ApiError, ErrorCode, Problem},
    limits,
    mail::{outbox, templates::Template},
};

/// The current password and the new one, twice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// Same policy as at registration.
    pub new_password: String,
    pub new_password_confirmation: String,
}

/// Change one's password ("Changer mot de passe"). Every other session is signed out and a notice
/// goes to the account's address. Wrong current passwords count towards the identifier's lock.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed; other sessions revoked"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`current_password_incorrect`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password_policy`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many wrong passwords", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/me/password")]
pub async fn change_password(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    auth: Authenticated,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
        new_password_confirmation,
    } = body.into_inner();
    let account = verify_current_password(&ctx, &auth, current_password).await?;

    let mut issues = password::check(
        &new_password,
        ctx.settings.password_min_length,
        Some(&account.identifier),
        "new_password",
    );
    issues.extend(password::check_confirmation(
        &new_password,
        &new_password_confirmation,
        "new_password_confirmation",
    ));
    if !issues.is_empty() {
        return Err(ApiError::password_policy(issues));
    }
    let new_hash = hashing::hash_async(new_password).await?;
    let address = limits::client_address(&req);
    ctx.db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                let now = db::now();
                Account::set_password(conn, &account.id, &new_hash, now)?;
                PasswordToken::consume_all_for_account(conn, &account.id, now)?;
                Session::revoke_all_for_account(
                    conn,
                    &account.id,
                    Some(&auth.session_id),
                    now,
                    "password_changed",
                )?;
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind: SecurityEventKind::PasswordChanged,
                        method: None,
                        client_address: Some(&address),
                        session_id: Some(&auth.session_id),
                    },
                    now,
                )?;
                outbox::enqueue(
                    conn,
                    &account.email,
                    &Template::PasswordChanged {
                        greeting_name: account.greeting_name(),
                    },
                )
            })?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Checks the signed-in owner's current password (re-authentication before a sensitive change).
pub async fn verify_current_password(
    ctx: &ApiContext,
    auth: &Authenticated,
    typed: String,
) -> Result<Account, ApiError> {
    let account_id = auth.account_id.clone();
    let account = ctx
        .db
        .run(move |conn| Ok(Account::find(conn, &account_id)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let identifier = account.identifier.clone();
    let locked = ctx
        .db
        .run(move |conn| Ok(login_throttles::throttle(conn, &identifier, db::now())?))
        .await?
        .locked_for;
    if let Some(seconds) = locked {
        return Err(ApiError::rate_limited(u64::try_from(seconds).unwrap_or(1)));
    }
    let verification = hashing::verify_async(typed, account.password_hash.clone()).await?;
    if verification == Verification::Mismatch {
        let identifier = account.identifier.clone();
        ctx.db
            .run(move |conn| {
                Ok(login_throttles::record_failure(
                    conn,
                    &identifier,
                    db::now(),
                )?)
            })
            .await?;
        return Err(ApiError::of(ErrorCode::CurrentPasswordIncorrect));
    }
    Ok(account)
}
