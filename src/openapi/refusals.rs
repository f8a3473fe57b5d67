//! The answers an operation gives before its handler runs, when actix's extractors refuse the
//! request (worded in `src/routes/fallback.rs`): a body that is not JSON, too large or of the
//! wrong shape, a query string that does not parse. They are documented once, as shared
//! responses, and referenced from every operation they apply to, so a new route is documented
//! with them without anyone thinking of it.

use utoipa::openapi::{
    path::{Operation, ParameterIn},
    Content, OpenApi, Ref, RefOr, Response, ResponseBuilder,
};

use crate::error::Problem;

/// Shared response: 400 `malformed_json` or `invalid_parameter`.
const BAD_REQUEST: &str = "BadRequest";
/// Shared response: 413 `payload_too_large`.
const PAYLOAD_TOO_LARGE: &str = "PayloadTooLarge";
/// Shared response: 415 `unsupported_media_type`.
const UNSUPPORTED_MEDIA_TYPE: &str = "UnsupportedMediaType";
/// Shared response: 422 `invalid_body`.
const INVALID_BODY: &str = "InvalidBody";
/// Shared response: 503 `service_unavailable`.
const SERVICE_UNAVAILABLE: &str = "ServiceUnavailable";

/// What is added to a 503 the handler documents itself (a feature not configured).
const SERVICE_UNAVAILABLE_NOTE: &str =
    "; or `service_unavailable`: the database cannot be reached, retry after `Retry-After` seconds";

/// The operations that never reach the database, so never answer `service_unavailable`.
const WITHOUT_DATABASE: [&str; 2] = ["/health", "/.well-known/jwks.json"];

/// What is added to a 422 the handler documents itself, since the extractor's 422 comes first.
const INVALID_BODY_NOTE: &str = "; or `invalid_body`: the JSON does not match the request schema";

/// Adds the shared responses to the components and references them from each operation.
pub fn document(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    for (name, description) in [
        (
            BAD_REQUEST,
            "`malformed_json`: the body is not a JSON document; `invalid_parameter`: a query \
             parameter is missing or does not parse",
        ),
        (
            PAYLOAD_TOO_LARGE,
            "`payload_too_large`: the body exceeds 64 KiB",
        ),
        (
            UNSUPPORTED_MEDIA_TYPE,
            "`unsupported_media_type`: the body is not sent as `application/json`",
        ),
        (
            INVALID_BODY,
            "`invalid_body`: the JSON does not match the request schema (a field missing or of the wrong type)",
        ),
        (
            SERVICE_UNAVAILABLE,
            "`service_unavailable`: the database cannot be reached (or SQLite stayed locked): retry after `Retry-After` seconds",
        ),
    ] {
        components
            .responses
            .insert(name.to_owned(), RefOr::T(problem_response(description)));
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let uses_database = !WITHOUT_DATABASE.contains(&path.as_str());
        for operation in super::operations_mut(item) {
            document_operation(operation);
            if uses_database {
                document_unavailable(operation);
            }
        }
    }
}

/// Every operation that reads or writes the database answers 503 while it is unreachable.
fn document_unavailable(operation: &mut Operation) {
    let responses = &mut operation.responses.responses;
    match responses.get_mut("503") {
        Some(RefOr::T(own)) if !own.description.contains("service_unavailable") => {
            own.description.push_str(SERVICE_UNAVAILABLE_NOTE);
        }
        Some(_) => {}
        None => {
            responses.insert("503".to_owned(), shared(SERVICE_UNAVAILABLE));
        }
    }
}

fn document_operation(operation: &mut Operation) {
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let has_body = operation.request_body.is_some();
    let responses = &mut operation.responses.responses;
    if has_body || has_query {
        responses
            .entry("400".to_owned())
            .or_insert_with(|| shared(BAD_REQUEST));
    }
    if !has_body {
        return;
    }
    responses
        .entry("413".to_owned())
        .or_insert_with(|| shared(PAYLOAD_TOO_LARGE));
    responses
        .entry("415".to_owned())
        .or_insert_with(|| shared(UNSUPPORTED_MEDIA_TYPE));
    match responses.get_mut("422") {
        Some(RefOr::T(own)) if !own.description.contains("invalid_body") => {
            own.description.push_str(INVALID_BODY_NOTE);
        }
        Some(_) => {}
        None => {
            responses.insert("422".to_owned(), shared(INVALID_BODY));
        }
    }
}

fn shared(name: &str) -> RefOr<Response> {
    RefOr::Ref(Ref::from_response_name(name))
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name(
                <Problem as utoipa::ToSchema>::name(),
            ))),
        )
        .build()
}
