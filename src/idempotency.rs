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

/// How long a request holding a key is taken for alive: longer than any operation behind a key
/// takes (a payment waits at most its provider's timeout). Past it, a retry takes the key over.
pub const LEASE: chrono::Duration = chrono::Duration::seconds(30);

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

/// The key of an anonymous caller, scoped to the address it comes from: two callers who chose the
/// same key never replay (or block) each other's answer. Signed-in callers' keys are scoped to
/// their account instead.
pub fn of_client(key: Option<String>, client_address: &str) -> Option<String> {
    key.map(|key| format!("{client_address} {key}"))
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
            .run(move |conn| {
                Ok(idempotency::reserve(
                    conn,
                    scope,
                    &key,
                    &hash,
                    db::now(),
                    LEASE,
                )?)
            })
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

#[cfg(test)]
mod tests {
    use super::of_client;

    #[test]
    fn two_anonymous_callers_with_the_same_key_hold_two_keys() {
        let (one, other) = (
            of_client(Some("inscription-1".into()), "192.0.2.1"),
            of_client(Some("inscription-1".into()), "192.0.2.2"),
        );
        assert!(one.is_some() && other.is_some());
        assert_ne!(one, other);
        assert_eq!(one, of_client(Some("inscription-1".into()), "192.0.2.1"));
        assert_eq!(of_client(None, "192.0.2.1"), None);
    }
}
