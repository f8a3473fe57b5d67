//! `Idempotency-Key` for writes a client may retry: the same key and body replay the first
//! answer; the same key with another body is refused; a concurrent duplicate waits its turn.

use std::future::Future;

use actix_web::{http::StatusCode, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::{
    context::ApiContext,
    db::{self, idempotency},
    error::{ApiError, ErrorCode, FieldIssue},
    i18n::Text,
};

/// The header.
pub const HEADER: &str = "Idempotency-Key";

/// The key of a request, if it sent one; refused when malformed.
pub fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::validation(vec![FieldIssue::parameter(
            HEADER,
            "idempotency_key",
            Text::new(
                "La clé d'idempotence doit comporter 1 à 255 caractères ASCII visibles.",
                "The idempotency key must be 1 to 255 visible ASCII characters.",
            ),
        )]));
    }
    Ok(Some(key.to_owned()))
}

/// Runs `operation` at most once per key. `operation` returns the status and JSON body of success.
pub async fn once<F, Fut>(
    ctx: &ApiContext,
    scope: &'static str,
    key: Option<String>,
    request_fingerprint: &[u8],
    operation: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(StatusCode, serde_json::Value), ApiError>>,
{
    let Some(key) = key else {
        let (status, body) = operation().await?;
        return Ok(HttpResponse::build(status).json(body));
    };
    let request_hash = hex::encode(Sha256::digest(request_fingerprint));
    let reservation = {
        let (key, hash) = (key.clone(), request_hash.clone());
        ctx.db
            .run(move |conn| Ok(idempotency::reserve(conn, scope, &key, &hash, db::now())?))
            .await?
    };
    if let idempotency::Reservation::Existing(record) = reservation {
        if record.request_hash != request_hash {
            return Err(ApiError::of(ErrorCode::IdempotencyKeyReused));
        }
        if record.status == idempotency::IN_PROGRESS {
            return Err(ApiError::of(ErrorCode::IdempotencyInProgress)
                .with_header(actix_web::http::header::RETRY_AFTER, "1"));
        }
        let status = u16::try_from(record.status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        return Ok(HttpResponse::build(status)
            .insert_header(("Idempotent-Replayed", "true"))
            .content_type("application/json")
            .body(record.body));
    }
    match operation().await {
        Ok((status, body)) => {
            let text = body.to_string();
            let stored = text.clone();
            ctx.db
                .run(move |conn| {
                    Ok(idempotency::complete(
                        conn,
                        scope,
                        &key,
                        i32::from(status.as_u16()),
                        &stored,
                    )?)
                })
                .await?;
            Ok(HttpResponse::build(status)
                .content_type("application/json")
                .body(text))
        }
        Err(error) => {
            ctx.db
                .run(move |conn| Ok(idempotency::release(conn, scope, &key)?))
                .await?;
            Err(error)
        }
    }
}
