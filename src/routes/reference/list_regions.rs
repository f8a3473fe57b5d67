use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{context::ApiContext, error::ApiError, flows::reference};

/// A regional council of the Ordre.
#[derive(Serialize, ToSchema)]
pub struct RegionView {
    /// Stable code used in portal paths.
    #[schema(example = "paris-ile-de-france")]
    pub code: String,
    /// Official name.
    #[schema(example = "Paris Île-de-France")]
    pub name: String,
}

/// The regional councils.
#[derive(Serialize, ToSchema)]
pub struct RegionList {
    /// Every region, in the guide's order.
    pub items: Vec<RegionView>,
}

/// List the regional councils.
#[utoipa::path(tag = "reference", responses((status = 200, description = "The regions", body = RegionList)))]
#[get("/regions")]
pub async fn list_regions(ctx: web::Data<ApiContext>) -> Result<HttpResponse, ApiError> {
    let regions = reference::list_regions(&ctx).await?;
    let items = regions
        .into_iter()
        .map(|r| RegionView {
            code: r.code,
            name: r.name,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(RegionList { items }))
}
