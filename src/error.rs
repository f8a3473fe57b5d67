//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//!
//! Handlers return `Result<_, ApiError>` and use `?`: database, pool and blocking-task errors
//! convert here, `diesel::NotFound` becomes a 404 in this one place, and anything unexpected
//! becomes a 500 that is logged in full and explained to nobody. Every problem's `code`, status
//! and texts come from [`ErrorCode`] and its catalogue (`src/error/code.rs`).

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{Lang, Text};

mod code;

pub use code::{details, ErrorCode};

/// Base of the `type` URIs of our problems; each code has its own page.
pub const PROBLEM_TYPE_BASE: &str = "https://comptexpert.experts-comptables.fr/problems/";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as named in the request (`email`, `password`, `address.postal_code`…).
    #[schema(example = "postal_code")]
    pub field: String,
    /// For a field of the JSON body: a JSON Pointer (RFC 6901) to it (`/postal_code`,
    /// `/address/postal_code`), as RFC 9457 suggests.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/postal_code")]
    pub pointer: Option<String>,
    /// For a query or path parameter or a header: its name (`limit`, `Idempotency-Key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(null))]
    pub parameter: Option<String>,
    /// Stable machine code of the rule broken (`required`, `email`, `postal_code`, `min_length`…).
    #[schema(example = "postal_code")]
    pub code: String,
    /// Human-readable explanation, in the response's language.
    #[schema(example = "Le code postal doit comporter 5 chiffres.")]
    pub message: String,
}

/// Where an invalid field was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldLocation {
    /// In the JSON body: the error carries a JSON Pointer.
    Body,
    /// A query or path parameter, or a header: the error carries its name.
    Parameter,
}

/// A field error before its language is chosen.
#[derive(Debug, Clone)]
pub struct FieldIssue {
    /// Field name (dotted for nested body fields).
    pub field: String,
    /// Body field or parameter.
    pub location: FieldLocation,
    /// Stable rule code.
    pub code: &'static str,
    /// Message in both languages.
    pub message: Text,
}

impl FieldIssue {
    /// An error on a field of the JSON body.
    pub fn new(field: impl Into<String>, code: &'static str, message: Text) -> Self {
        Self {
            field: field.into(),
            location: FieldLocation::Body,
            code,
            message,
        }
    }

    /// An error on a query or path parameter, or a header.
    pub fn parameter(name: impl Into<String>, code: &'static str, message: Text) -> Self {
        Self {
            location: FieldLocation::Parameter,
            ..Self::new(name, code, message)
        }
    }

    /// The JSON Pointer (RFC 6901) of a body field: `address.postal_code` → `/address/postal_code`.
    fn pointer(&self) -> String {
        self.field
            .split('.')
            .map(|part| format!("/{}", part.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

/// The body of every error response (RFC 9457 problem details, plus a stable `code`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://comptexpert.experts-comptables.fr/problems/validation_failed",
    "title": "Requête invalide",
    "status": 422,
    "detail": "Un ou plusieurs champs sont invalides.",
    "code": "validation_failed",
    "errors": [{"field": "postal_code", "pointer": "/postal_code", "code": "postal_code", "message": "Le code postal doit comporter 5 chiffres."}]
}))]
pub struct Problem {
    /// URI identifying the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem, in the response's language.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence, in the response's language.
    pub detail: String,
    /// Stable machine-readable code: branch on this, never on the text.
    pub code: String,
    /// For validation problems, every invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `overpayment`, the most that may be paid now, in cents of euros (what remains to pay
    /// less what pending payments reserve): the same figure as in `detail`, to compute with.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 87225)]
    pub payable_cents: Option<i64>,
}

/// An error that ends a request.
#[derive(Debug, thiserror::Error)]
#[error("{code} ({status}): {}", detail.en)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    // Boxed so that `Result<_, ApiError>` stays small (clippy's `result_large_err`): the text
    // is only read when the response is built. The title is the code's, always.
    detail: Box<Text>,
    errors: Vec<FieldIssue>,
    payable_cents: Option<i64>,
    headers: Vec<(header::HeaderName, String)>,
    /// The cause of a 500, logged when the response is built and never sent.
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ApiError {
    /// The problem `code` stands for, with its status, title and detail from the catalogue.
    pub fn of(code: ErrorCode) -> Self {
        Self {
            status: code.status(),
            code,
            detail: Box::new(code.detail()),
            errors: Vec::new(),
            payable_cents: None,
            headers: Vec::new(),
            source: None,
        }
    }

    /// Replaces the catalogue's detail with one naming this occurrence (a wait, an origin, an
    /// amount) or its situation ([`details`]).
    pub fn with_detail(mut self, detail: Text) -> Self {
        self.detail = Box::new(detail);
        self
    }

    /// Adds a response header (`Retry-After`, `WWW-Authenticate`, `Allow`…).
    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds the `payable_cents` member (of `overpayment`).
    pub fn with_payable_cents(mut self, payable_cents: i64) -> Self {
        self.payable_cents = Some(payable_cents);
        self
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The fields at fault, for `validation_failed` and `password_policy`.
    pub fn field_issues(&self) -> &[FieldIssue] {
        &self.errors
    }

    /// 422 `validation_failed` listing every invalid field.
    pub fn validation(errors: Vec<FieldIssue>) -> Self {
        let mut e = Self::of(ErrorCode::ValidationFailed);
        e.errors = errors;
        e
    }

    /// 422 `password_policy` listing every rule the password breaks.
    pub fn password_policy(errors: Vec<FieldIssue>) -> Self {
        let mut e = Self::of(ErrorCode::PasswordPolicy);
        e.errors = errors;
        e
    }

    /// 404 `not_found` for a resource the caller may not see or that does not exist.
    pub fn not_found() -> Self {
        Self::of(ErrorCode::NotFound)
    }

    /// 429 `rate_limited` with `Retry-After` in seconds and the wait in words in the detail.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let wait = crate::i18n::wait_of(retry_after_secs);
        Self::of(ErrorCode::RateLimited)
            .with_detail(Text::owned(
                format!("Trop de tentatives. Réessayez {}.", wait.fr),
                format!("Too many attempts. Try again {}.", wait.en),
            ))
            .with_header(header::RETRY_AFTER, retry_after_secs.max(1).to_string())
    }

    /// 400 for a path or query parameter that is missing or does not parse; `issues` names it
    /// when the parser said which.
    pub fn invalid_parameter(detail: Text, issues: Vec<FieldIssue>) -> Self {
        let mut e = Self::of(ErrorCode::InvalidParameter).with_detail(detail);
        e.errors = issues;
        e
    }

    /// 422 `invalid_body`: the JSON does not match the request's schema.
    pub fn invalid_body(detail: Text, issues: Vec<FieldIssue>) -> Self {
        let mut e = Self::of(ErrorCode::InvalidBody).with_detail(detail);
        e.errors = issues;
        e
    }

    /// 503 when the database cannot be reached.
    pub fn unavailable() -> Self {
        Self::of(ErrorCode::ServiceUnavailable).with_header(header::RETRY_AFTER, "5")
    }

    /// A generic problem for a bare status produced outside our handlers.
    pub fn from_status(status: StatusCode) -> Self {
        if status.is_server_error() {
            return Self::internal(format!("unhandled error with status {status}"));
        }
        let reason = status.canonical_reason().unwrap_or("Error");
        // The one code whose status is the framework's, not the catalogue's.
        Self {
            status,
            ..Self::of(ErrorCode::RequestRefused)
        }
        .with_detail(Text::owned(
            format!("La requête a été refusée ({reason})."),
            format!("The request was refused ({reason})."),
        ))
    }

    /// 500: the cause is logged, the client learns nothing about it.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut e = Self::of(ErrorCode::InternalError);
        e.source = Some(source.into());
        e
    }

    /// The problem body in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        Problem {
            problem_type: format!("{PROBLEM_TYPE_BASE}{}", self.code.as_str()),
            title: self.code.title().get(lang).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.get(lang).to_owned(),
            code: self.code.as_str().to_owned(),
            errors: self
                .errors
                .iter()
                .map(|e| FieldError {
                    field: e.field.clone(),
                    pointer: (e.location == FieldLocation::Body).then(|| e.pointer()),
                    parameter: (e.location == FieldLocation::Parameter).then(|| e.field.clone()),
                    code: e.code.to_owned(),
                    message: e.message.get(lang).to_owned(),
                })
                .collect(),
            payable_cents: self.payable_cents,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            match &self.source {
                Some(source) => {
                    tracing::error!(code = self.code.as_str(), error = %source, "request failed")
                }
                None => tracing::warn!(code = self.code.as_str(), "request failed"),
            }
        }
        let lang = Lang::current();
        let mut response = HttpResponse::build(self.status);
        response
            .content_type("application/problem+json")
            .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
            .insert_header((header::CACHE_CONTROL, "no-store"));
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.as_str()));
        }
        let body = serde_json::to_string(&self.problem(lang)).unwrap_or_else(|_| {
            r#"{"type":"about:blank","title":"Internal error","status":500,"detail":"","code":"internal_error"}"#.to_owned()
        });
        response.body(body)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => Self::not_found(),
            // SQLite's write lock held past the wait (another process importing, say): the
            // request may be retried, nothing was written.
            // SQLite's disk full: nothing was written (the transaction rolled back), and the
            // request may succeed once space is freed.
            diesel::result::Error::DatabaseError(_, ref info)
                if info.message().contains("database or disk is full") =>
            {
                tracing::error!(%error, "database disk full");
                Self::unavailable()
            }
            diesel::result::Error::DatabaseError(_, ref info)
                if info.message().contains("database is locked") =>
            {
                tracing::warn!(%error, "database busy");
                Self::unavailable()
            }
            // The database could not be reached (a connection that could not be opened or was
            // lost): like a pool that cannot connect.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UnableToSendCommand
                | diesel::result::DatabaseErrorKind::ClosedConnection,
                _,
            ) => {
                tracing::error!(%error, "database unreachable");
                Self::unavailable()
            }
            other => Self::internal(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        tracing::error!(%error, "database pool exhausted or unreachable");
        Self::unavailable()
    }
}

impl From<crate::auth::password::HashingError> for ApiError {
    fn from(error: crate::auth::password::HashingError) -> Self {
        match error {
            crate::auth::password::HashingError::Busy => {
                tracing::warn!("sign-in refused: the hashing queue is full");
                Self::of(ErrorCode::ServiceUnavailable).with_header(header::RETRY_AFTER, "1")
            }
            stopped => Self::internal(stopped),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::internal(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_hashing_queue_is_a_503_to_retry_in_a_second() {
        let busy = ApiError::from(crate::auth::password::HashingError::Busy);
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.code(), ErrorCode::ServiceUnavailable);
        let response = busy.error_response();
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        let stopped = ApiError::from(crate::auth::password::HashingError::Stopped("gone"));
        assert_eq!(stopped.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_busy_database_is_a_503_to_retry_and_other_database_errors_a_500() {
        let busy = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("database is locked".to_owned()),
        );
        let answer = ApiError::from(busy);
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        let unreachable = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UnableToSendCommand,
            Box::new("unable to open database file".to_owned()),
        );
        assert_eq!(
            ApiError::from(unreachable).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let other = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("disk I/O error".to_owned()),
        );
        assert_eq!(
            ApiError::from(other).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
