use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::viewer_of;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{portal, reference::Region},
    error::{ApiError, Problem},
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
    let list = ctx
        .db
        .run(move |conn| {
            let (_, viewer) = viewer_of(conn, &auth)?;
            let regions = Region::all(conn)?;
            let campaigns = portal::current_campaigns(conn)?;
            let visible = portal::visible_bureau_ids(conn, &viewer)?;
            let counts = portal::bureau_counts_by_region(conn, &visible)?;
            let files = match &viewer.member_id {
                Some(member_id) => portal::personal_file_regions(conn, member_id)?,
                None => Vec::new(),
            };
            let items: Vec<PortalRegion> = regions
                .into_iter()
                .map(|region| {
                    let campaign = campaigns.get(&region.code);
                    PortalRegion {
                        campaign_year: campaign.map(|c| c.year),
                        campaign_open: campaign.is_some_and(|c| c.is_open),
                        bureaux_count: counts.get(&region.code).copied().unwrap_or(0),
                        has_personal_file: files.contains(&region.code),
                        code: region.code,
                        name: region.name,
                    }
                })
                .collect();
            let totals = PortalRegionTotals {
                bureaux_count: items.iter().map(|r| r.bureaux_count).sum(),
                personal_files_count: items.iter().filter(|r| r.has_personal_file).count() as i64,
            };
            Ok(PortalRegionList { items, totals })
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
