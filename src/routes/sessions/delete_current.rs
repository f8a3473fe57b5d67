use actix_web::{delete, web, HttpRequest, HttpResponse};

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self,
        security_events::{NewEvent, SecurityEvent},
        sessions::Session,
    },
    error::{ApiError, Problem},
    limits,
};

/// Sign out ("Déconnexion"): closes this session. Its refresh token stops working at once and
/// its access tokens are refused from the next request.
#[utoipa::path(
    operation_id = "sign_out",
    tag = "sessions",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sessions/current")]
pub async fn delete_current(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let address = limits::client_address(&req);
    ctx.db
        .run(move |conn| {
            Ok(crate::db::session_write_transaction(conn, |conn| {
                let now = db::now();
                if Session::revoke(conn, &auth.session_id, now, "sign_out")? {
                    SecurityEvent::record(
                        conn,
                        NewEvent {
                            account_id: &auth.account_id,
                            kind: SecurityEventKind::SignOut,
                            method: Some(&auth.amr),
                            client_address: Some(&address),
                            session_id: Some(&auth.session_id),
                        },
                        now,
                    )?;
                }
                diesel::QueryResult::Ok(())
            })?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
