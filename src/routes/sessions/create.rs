use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::invalid_credentials;
use crate::domain::states::SecurityEventKind;
use crate::{
    auth::{
        password::{self, Verification},
        session_tokens::{self, SignInContext, TokenResponse},
    },
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        login_throttles,
        security_events::{NewEvent, SecurityEvent},
    },
    error::{ApiError, FieldIssue, Problem},
    i18n::Text,
    limits,
};

/// Identifier and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignInRequest {
    /// The ComptExpert identifier (not the email).
    #[schema(example = "mdurand")]
    pub identifier: String,
    #[schema(example = "Demo-2026!")]
    pub password: String,
    /// "Garder ma session active": the refresh token lives 30 days instead of 12 hours.
    #[serde(default)]
    pub keep_session_active: bool,
}

/// Sign in with identifier and password. Unknown identifier, wrong password and account not yet
/// activated all get the same `invalid_credentials` answer in the same time. Repeated failures
/// on an identifier lock it for a growing delay (`rate_limited` with `Retry-After`).
#[utoipa::path(
    operation_id = "sign_in",
    tag = "sessions",
    request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in", body = TokenResponse),
        (status = 401, description = "`invalid_credentials`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: empty identifier or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many failures on this identifier, or too many sign-ins from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions")]
pub async fn create(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    body: web::Json<SignInRequest>,
) -> Result<HttpResponse, ApiError> {
    let SignInRequest {
        identifier,
        password: typed,
        keep_session_active,
    } = body.into_inner();
    let identifier = identifier.trim().to_ascii_lowercase();
    let mut issues = Vec::new();
    if identifier.is_empty() || identifier.len() > 100 {
        issues.push(FieldIssue::new(
            "identifier",
            "required",
            Text::new("Saisissez votre identifiant.", "Enter your identifier."),
        ));
    }
    if typed.is_empty() || typed.chars().count() > crate::domain::password::MAX_LEN {
        issues.push(FieldIssue::new(
            "password",
            "required",
            Text::new("Saisissez votre mot de passe.", "Enter your password."),
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let client_address = limits::client_address(&req);
    limits::enforce(&ctx, limits::SIGN_IN_PER_CLIENT, &client_address).await?;

    let lookup = identifier.clone();
    let (throttle, account) = ctx
        .db
        .run(move |conn| {
            let throttle = login_throttles::throttle(conn, &lookup, db::now())?;
            let account = Account::find_by_identifier(conn, &lookup)?;
            Ok((throttle, account))
        })
        .await?;
    if let Some(seconds) = throttle.locked_for {
        return Err(ApiError::rate_limited(u64::try_from(seconds).unwrap_or(1)));
    }
    // A pending account has no hash: it is verified against the dummy hash like an unknown one.
    let stored = account
        .as_ref()
        .filter(|a| a.is_active())
        .and_then(|a| a.password_hash.clone());
    let verification = password::verify_async(typed.clone(), stored)
        .await
        .map_err(ApiError::internal)?;

    // The account (if the identifier exists) was read above: its own history records a failure.
    let known_account_id = account.as_ref().map(|a| a.id.clone());
    let Some(account) = account.filter(|_| verification != Verification::Mismatch) else {
        let failed_account = known_account_id;
        let address = client_address.clone();
        ctx.db
            .run(move |conn| {
                Ok(crate::db::session_write_transaction(conn, |conn| {
                    let now = db::now();
                    let lock = login_throttles::record_failure(conn, &identifier, now)?;
                    if let Some(account_id) = &failed_account {
                        let event_kind = if lock.is_some() {
                            SecurityEventKind::AccountLocked
                        } else {
                            SecurityEventKind::SignInFailed
                        };
                        SecurityEvent::record(
                            conn,
                            NewEvent {
                                account_id,
                                kind: event_kind,
                                method: Some("pwd"),
                                client_address: Some(&address),
                                session_id: None,
                            },
                            now,
                        )?;
                    }
                    diesel::QueryResult::Ok(())
                })?)
            })
            .await?;
        return Err(invalid_credentials());
    };

    if verification == Verification::MatchNeedsRehash {
        upgrade_hash_later(ctx.clone(), account.id.clone(), typed);
    }
    // Only a sign-in that follows failures writes to forget them: the usual one stays a read.
    if throttle.has_failures {
        let cleared = identifier.clone();
        ctx.db
            .run(move |conn| {
                Ok(crate::db::session_write_transaction(conn, |conn| {
                    login_throttles::clear(conn, &cleared)
                })?)
            })
            .await?;
    }
    let tokens = session_tokens::open(
        &ctx,
        account,
        SignInContext::of_request(&req, "pwd", keep_session_active),
    )
    .await?;
    Ok(HttpResponse::Created().json(tokens))
}

/// Re-hashes a password made with weaker parameters, after the answer: the sign-in does not pay for it.
fn upgrade_hash_later(ctx: web::Data<ApiContext>, account_id: String, typed: String) {
    actix_web::rt::spawn(async move {
        let Ok(new_hash) = password::hash_async(typed).await else {
            return;
        };
        let result = ctx
            .db
            .run(move |conn| {
                use crate::db::schema::accounts;
                use diesel::prelude::*;
                diesel::update(accounts::table.find(&account_id))
                    .set(accounts::password_hash.eq(&new_hash))
                    .execute(conn)?;
                Ok(())
            })
            .await;
        if let Err(error) = result {
            tracing::warn!(%error, "password hash upgrade failed; it will be retried at the next sign-in");
        }
    });
}
