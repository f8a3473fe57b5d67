use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::states::SecurityEventKind;
use crate::domain::tokens;
use crate::routes::sessions::TokenResponse;
use crate::{
    auth::session_tokens,
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        security_events::{NewEvent, SecurityEvent},
        sessions::{Rotation, Session},
    },
    error::{ApiError, ErrorCode, Problem},
};

/// A refresh token to exchange.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The latest refresh token of the session.
    pub refresh_token: String,
}

/// Exchange a refresh token for a new access token and a new refresh token (rotation: each
/// refresh token works once). Presenting an already-exchanged token revokes the whole session
/// (theft detection); of two simultaneous exchanges of one token, exactly one succeeds.
#[utoipa::path(
    operation_id = "refresh_session",
    tag = "sessions",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 401, description = "`invalid_refresh_token`: unknown, used, expired, or its session is closed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sessions/refresh")]
pub async fn refresh(
    ctx: web::Data<ApiContext>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let presented = body.into_inner().refresh_token;
    if !tokens::is_well_formed(&presented) {
        return Err(invalid_refresh_token());
    }
    let outcome = ctx
        .db
        .run(move |conn| {
            // PostgreSQL: the account is read first, then the usual exchange is one statement; if
            // either fails nothing was written. Every other case goes through the transaction below.
            if matches!(conn, db::DbConnection::Pg(_)) {
                let hash = tokens::digest(&presented);
                if let Some(account) = Account::find_by_refresh_token(conn, &hash)? {
                    if let Some(rotated) = Session::rotate_at_once(conn, &hash, db::now())? {
                        return Ok(Some((account, rotated.0, rotated.1)));
                    }
                }
            }
            Ok(crate::db::session_write_transaction(conn, |conn| {
                let now = db::now();
                let rotation = Session::rotate(conn, &presented, now)?;
                match rotation {
                    Rotation::Rotated { session, refresh_token } => {
                        let account = Account::find(conn, &session.account_id)?.ok_or(diesel::result::Error::NotFound)?;
                        Ok(Some((account, session, refresh_token)))
                    }
                    Rotation::Reused { session } => {
                        SecurityEvent::record(
                            conn,
                            NewEvent {
                                account_id: &session.account_id,
                                kind: SecurityEventKind::RefreshTokenReused,
                                method: None,
                                client_address: None,
                                session_id: Some(&session.id),
                            },
                            now,
                        )?;
                        tracing::warn!(session = %session.id, "refresh token reused: session revoked");
                        Ok(None)
                    }
                    Rotation::Refused => Ok(None),
                }
            })
            .map_err(|e: diesel::result::Error| e)?)
        })
        .await?;
    let Some((account, session, refresh_token)) = outcome else {
        return Err(invalid_refresh_token());
    };
    let signed_in = session_tokens::issue(&ctx, account, session, refresh_token)?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}

fn invalid_refresh_token() -> ApiError {
    ApiError::of(ErrorCode::InvalidRefreshToken)
}
