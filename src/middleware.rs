//! The one middleware every request goes through: language, request id, security headers,
//! one structured log line, and problem+json for any error that escaped a handler.

use std::time::Instant;

use actix_cors::CorsError;
use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::InternalError,
    http::{
        header::{self, HeaderMap, HeaderName, HeaderValue},
        StatusCode,
    },
    middleware::Next,
    Error, ResponseError,
};

use crate::{
    error::{ApiError, ErrorCode},
    i18n::{self, Lang, Text},
};

/// Header carrying the request id, echoed back and present in the log line.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A caller's request id is kept only if it is short and plain, so it cannot forge log lines.
/// The request's id (`X-Request-Id`, the client's when well formed), in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn valid_request_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// See the module documentation.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let lang = Lang::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().clone();
    let client = crate::proxies::client_address(req.request());
    let marking = Marking::of(&req);
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    // Every line logged while the request is handled (its errors included, and the database
    // work and hashing it waits for, which carry the span along) names the request it serves.
    // The route is known once routing has run, and recorded then.
    // The handlers that record what they did (the staff's audit log) name the request too.
    actix_web::HttpMessage::extensions_mut(&req).insert(RequestId(request_id.clone()));
    let span = tracing::info_span!(
        "request",
        %request_id,
        %method,
        route = tracing::field::Empty
    );
    let outcome =
        tracing::Instrument::instrument(i18n::scope(lang, next.call(req)), span.clone()).await;
    let mut response = match outcome {
        Ok(response) => {
            let response = response.map_into_boxed_body();
            let is_problem = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
            // The token endpoint's errors are OAuth's JSON (RFC 6749 §5.2), as its clients read them.
            let is_oauth_error = response.request().path().starts_with("/oauth2/")
                && response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
            if response.status().as_u16() >= 400 && !is_problem && !is_oauth_error {
                // A plain-text refusal from a library (CORS, Swagger UI's files): same problem shape as ours.
                let cors = response
                    .response()
                    .error()
                    .and_then(|e| e.as_error::<CorsError>())
                    .map(|e| cors_refusal(e, origin.as_deref()));
                let (request, original) = response.into_parts();
                let api_error = cors.unwrap_or_else(|| ApiError::from_status(original.status()));
                let mut rendered = i18n::scope(lang, async { api_error.error_response() }).await;
                for name in [header::VARY, header::ALLOW] {
                    if let Some(value) = original.headers().get(&name) {
                        rendered.headers_mut().insert(name, value.clone());
                    }
                }
                ServiceResponse::new(request, rendered)
            } else {
                response
            }
        }
        // An error that no handler turned into a response (another middleware's, such as a
        // refused CORS preflight): render it as a problem, in the caller's language.
        Err(error) => {
            let mut rendered = match error.as_error::<ApiError>() {
                Some(api_error) => i18n::scope(lang, async { api_error.error_response() }).await,
                None if error.as_error::<CorsError>().is_some() => {
                    let api_error = error
                        .as_error::<CorsError>()
                        .map(|e| cors_refusal(e, origin.as_deref()))
                        .unwrap_or_else(|| ApiError::from_status(StatusCode::BAD_REQUEST));
                    i18n::scope(lang, async { api_error.error_response() }).await
                }
                None => {
                    let api_error = ApiError::from_status(error.as_response_error().status_code());
                    i18n::scope(lang, async { api_error.error_response() }).await
                }
            };
            add_security_headers(rendered.headers_mut(), &request_id, marking);
            crate::measures::request(
                method.as_str(),
                "-",
                rendered.status().as_u16(),
                started.elapsed().as_secs_f64(),
            );
            let _in_request = span.enter();
            tracing::info!(%request_id, %method, %client, status = rendered.status().as_u16(), "request refused by middleware");
            return Err(InternalError::from_response(error.to_string(), rendered).into());
        }
    };

    let is_api = response.request().path().starts_with("/v1/");
    let headers = response.headers_mut();
    add_security_headers(headers, &request_id, marking);
    // Personal data and tokens must never sit in a shared cache: API answers are not stored
    // unless a handler says otherwise (public reference data does).
    if is_api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }

    // The route pattern, not the raw path: paths can carry secrets (password-token links).
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "-".to_owned());
    let status = response.status().as_u16();
    let latency_ms = format!("{:.2}", started.elapsed().as_secs_f64() * 1000.0);
    crate::measures::request(
        method.as_str(),
        &route,
        status,
        started.elapsed().as_secs_f64(),
    );
    span.record("route", route.as_str());
    let _in_request = span.enter();
    // 503 is a documented state (a dependency or a feature is unavailable), not a fault of ours.
    if status >= 500 && status != 503 {
        tracing::error!(%request_id, %method, %route, status, %latency_ms, %client, "request");
    } else if status == 503 {
        tracing::warn!(%request_id, %method, %route, status, %latency_ms, %client, "request");
    } else {
        tracing::info!(%request_id, %method, %route, status, %latency_ms, %client, "request");
    }
    Ok(response)
}

/// A request refused by the CORS rules, explained so that a front-end developer knows which
/// setting to change: the usual first failure of a browser front end on a local dev server.
fn cors_refusal(error: &CorsError, origin: Option<&str>) -> ApiError {
    let origin = origin.unwrap_or("-");
    match error {
        CorsError::OriginNotAllowed => ApiError::of(ErrorCode::CorsOriginNotAllowed).with_detail(Text::owned(
            format!("L'origine {origin} n'est pas autorisée à appeler l'API depuis un navigateur. Ajoutez-la à CORS_ALLOWED_ORIGINS (origines séparées par des virgules, par exemple http://localhost:5173) et redémarrez le service."),
            format!("The origin {origin} may not call the API from a browser. Add it to CORS_ALLOWED_ORIGINS (comma-separated origins, e.g. http://localhost:5173) and restart the service."),
        )),
        CorsError::MethodNotAllowed | CorsError::BadRequestMethod | CorsError::MissingRequestMethod => {
            ApiError::of(ErrorCode::CorsMethodNotAllowed)
        }
        CorsError::HeadersNotAllowed | CorsError::BadRequestHeaders => {
            ApiError::of(ErrorCode::CorsHeadersNotAllowed)
        }
        _ => ApiError::of(ErrorCode::CorsRefused).with_detail(Text::owned(
            format!("La requête cross-origin de {origin} a été refusée. Les origines autorisées se règlent avec CORS_ALLOWED_ORIGINS."),
            format!("The cross-origin request from {origin} was refused ({error}). Allowed origins are set with CORS_ALLOWED_ORIGINS."),
        )),
    }
}

/// What the browser may do with an answer: no framing anywhere (clickjacking), and for the API's
/// answers nothing to load or run at all.
const API_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// Swagger UI's pages: its own scripts, styles and images from this origin (it sets inline
/// styles and draws icons as `data:` images), and calls to this origin for "Try it out".
const SWAGGER_UI_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// A year, the usual span for HSTS once a deployment is on HTTPS for good.
const HSTS: &str = "max-age=31536000";

/// How a response is marked, worked out from its request.
#[derive(Clone, Copy)]
struct Marking {
    swagger_ui: bool,
    /// `PUBLIC_URL` is `https://…`: browsers are told to keep to HTTPS.
    https: bool,
}

impl Marking {
    fn of(req: &ServiceRequest) -> Self {
        Marking {
            swagger_ui: req.path().starts_with("/swagger-ui"),
            https: req
                .app_data::<actix_web::web::Data<crate::context::ApiContext>>()
                .is_some_and(|ctx| ctx.settings.serves_https()),
        }
    }
}

fn add_security_headers(headers: &mut HeaderMap, request_id: &str, marking: Marking) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let policy = if marking.swagger_ui {
        SWAGGER_UI_POLICY
    } else {
        API_POLICY
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    if marking.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID, value);
    }
}

#[cfg(test)]
mod tests {
    use super::valid_request_id;

    #[test]
    fn request_ids_that_could_forge_log_lines_are_replaced() {
        assert!(valid_request_id("3f2c-41_a.b"));
        assert!(!valid_request_id("abc\ninjected"));
        assert!(!valid_request_id(&"x".repeat(65)));
        assert!(!valid_request_id(""));
    }
}
