use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::regions as flow,
};

/// One region of "Choix région".
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalRegion {
    #[schema(example = "paris-ile-de-france")]
    pub code: String,
    #[schema(example = "Paris Île-de-France")]
    pub name: String,
    /// Year of the current campaign, if the region has one.
    #[schema(example = 2026)]
    pub campaign_year: Option<i32>,
    /// The campaign accepts declarations and payments ("Année 2026 disponible").
    pub campaign_open: bool,
    /// Bureaux the user may manage in the region.
    pub bureaux_count: i64,
    /// The user has a personal file (dossier personnel) in the region.
    pub has_personal_file: bool,
}

/// The totals row of the screen.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalRegionTotals {
    /// Bureaux the user may manage, all regions.
    pub bureaux_count: i64,
    /// Regions with a personal file.
    pub personal_files_count: i64,
}

/// "Choix région".
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalRegionList {
    /// Every region, in the guide's order.
    pub items: Vec<PortalRegion>,
    pub totals: PortalRegionTotals,
}

/// "Choix région": each region with its current campaign, the number of bureaux the signed-in
/// user may manage there and whether they have a personal file there. A fixed number of queries.
#[utoipa::path(
    operation_id = "list_portal_regions",
    tag = "portal",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The regions", body = PortalRegionList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/portal/regions")]
pub async fn list_regions(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let items: Vec<PortalRegion> = flow::list_regions(&ctx, &auth)
        .await?
        .into_iter()
        .map(|choice| PortalRegion {
            campaign_year: choice.campaign.as_ref().map(|c| c.year),
            campaign_open: choice.campaign.as_ref().is_some_and(|c| c.is_open),
            bureaux_count: choice.bureaux_count,
            has_personal_file: choice.has_personal_file,
            code: choice.region.code,
            name: choice.region.name,
        })
        .collect();
    let totals = PortalRegionTotals {
        bureaux_count: items.iter().map(|r| r.bureaux_count).sum(),
        personal_files_count: items.iter().filter(|r| r.has_personal_file).count() as i64,
    };
    Ok(HttpResponse::Ok().json(PortalRegionList { items, totals }))
}
