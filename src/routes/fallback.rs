//! What answers when no documented route does, and how extractor failures are worded:
//! always problem+json, never actix's plain-text defaults.

use actix_web::{
    dev::ResourceDef,
    error::{JsonPayloadError, PathError, QueryPayloadError},
    http::{header, Method},
    web, HttpRequest, HttpResponse,
};

use crate::{
    error::{ApiError, ErrorCode},
    i18n::Text,
};

/// Largest JSON body accepted (the biggest legitimate request, a certificate chain, is far below).
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// The documented paths and their methods, to tell "no such route" (404) from "wrong method" (405).
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    /// Builds the table from the OpenAPI document, the single list of our routes.
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let candidates = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ];
                for (operation, method) in candidates {
                    if operation.is_some() {
                        methods.push(method);
                    }
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods allowed on `path`, if any documented route matches it.
    fn allowed(&self, path: &str) -> Option<&[Method]> {
        self.routes
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, m)| m.as_slice())
    }
}

/// Default service: 405 with `Allow` when the path exists under another method, else 404.
pub async fn not_found(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(route_error(&req, &table))
}

fn route_error(req: &HttpRequest, table: &RouteTable) -> ApiError {
    if let Some(methods) = table.allowed(req.path()) {
        if !methods.contains(req.method()) {
            let allow = methods
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            return ApiError::of(ErrorCode::MethodNotAllowed)
                .with_detail(Text::owned(
                    format!("Cette ressource accepte seulement : {allow}."),
                    format!("This resource only accepts: {allow}."),
                ))
                .with_header(header::ALLOW, allow);
        }
    }
    if crate::front_end::is_front_end_page(req.path()) {
        // An emailed link followed while FRONTEND_URL still points at the API (its default).
        return ApiError::of(ErrorCode::FrontEndPage);
    }
    ApiError::of(ErrorCode::RouteNotFound)
}

/// JSON bodies: wrong content type, too large, malformed, or not matching the schema.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_BODY_LIMIT)
        .error_handler(|error, _req| {
            let api_error = match &error {
                JsonPayloadError::ContentType => ApiError::of(ErrorCode::UnsupportedMediaType),
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => payload_too_large(),
                JsonPayloadError::Deserialize(e) if e.is_data() => {
                    super::decode_errors::invalid_body(e)
                }
                _ => ApiError::of(ErrorCode::MalformedJson),
            };
            api_error.into()
        })
}

fn payload_too_large() -> ApiError {
    ApiError::of(ErrorCode::PayloadTooLarge).with_detail(Text::owned(
        format!(
            "Le corps de la requête dépasse {} Kio.",
            JSON_BODY_LIMIT / 1024
        ),
        format!("The request body exceeds {} KiB.", JSON_BODY_LIMIT / 1024),
    ))
}

/// Path parameters that do not parse.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error: PathError, _req| {
        let message = match &error {
            PathError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        super::decode_errors::invalid_parameter(&message).into()
    })
}

/// Query strings that do not parse.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _req| {
        let message = match &error {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        super::decode_errors::invalid_parameter(&message).into()
    })
}
