//! The OpenAPI document: collected from the registered routes, so code and contract cannot drift
//! apart silently (a test compares it with the committed `openapi/openapi.json`).

use actix_web::App;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_actix_web::AppExt;

use crate::{
    error::{FieldError, Problem},
    routes,
};

mod enums;
pub mod problems;
mod refusals;

/// The operations of a path item this API can have (it defines no HEAD, OPTIONS or TRACE).
fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

/// Top-level document metadata; the paths come from [`routes::configure`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ComptExpert API",
        description = "The single account of the Ordre des experts-comptables and its contributions portal.\n\n\
            Errors are RFC 9457 `application/problem+json` with a stable `code`. Messages are in French by \
            default and in English when `Accept-Language` prefers `en`. Authenticated operations take \
            `Authorization: Bearer <access token>`.",
        license(name = "Proprietary")
    ),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "reference", description = "Public reference data: qualités and regions"),
        (name = "registration", description = "Creating a ComptExpert account (Parties 2 and 4.1 of the guide)"),
        (name = "sessions", description = "Sign-in, tokens, sessions and credential recovery (Parties 1 and 3 of the guide)"),
        (name = "portal", description = "The contributions portal: regions, bureaux, balances, email conflict, managers (Parties 4.2 and 4.3)"),
        (name = "account", description = "The signed-in account: profile, password, email, sessions, security history"),
        (name = "expertpass", description = "Expertpass: signing in by scanning a QR code with the ComptExpert mobile app, and the devices enrolled for it. \
            The app reads the context to show (browser, approximate address, three numbers) with a signed request, then signs the UTF-8 message \
            `comptexpert-expertpass-v2\\n{challenge_id}\\n{nonce}\\n{decision}\\n{number}\\n{timestamp}` with its enrolled Ed25519 key: \
            only the number the browser shows approves (see the context and approval operations)."),
        (name = "single sign-on", description = "The OpenID Connect provider of the Ordre's other sites: discovery, authorization (headless: the front end's login page accepts the login request), tokens, userinfo, logout"),
        (name = "signexpert", description = "Signexpert: signing in with an X.509 certificate that chains to the configured trust anchors, and the certificates enrolled for it"),
        (name = "staff", description = "The Ordre's staff: roles, step-up, the support desk's work on accounts, the audit log (README, \"Staff\")"),
        (name = "council", description = "A regional council's work on the contributions of its region: campaigns, barème, bureau grants, transfers, refunds and credits, refused notifications, exports, summary"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the bearer scheme that authenticated operations reference.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Access token from POST /v1/sessions (EdDSA-signed JWT, 15 minutes)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The complete document, as served at `/api-docs/openapi.json` and printed by `comptexpert openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    refusals::document(&mut api);
    problems::document(&mut api);
    enums::document(&mut api);
    api
}

/// The document as pretty JSON, ending with a newline (the committed file's form).
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
