//! HTTP only: extract, call the domain, map to a response. Every route of the API is visible here.

pub mod fallback;
pub mod health;
pub mod reference;
pub mod well_known;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every documented route. Routes go through `utoipa_actix_web`, whose `service`
/// only accepts handlers annotated with `#[utoipa::path]`: an undocumented route does not compile.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::liveness::health)
        .service(health::readiness::ready)
        .service(well_known::jwks::jwks)
        .service(
            scope::scope("/v1")
                .service(reference::list_qualities::list_qualities)
                .service(reference::list_regions::list_regions),
        );
}
