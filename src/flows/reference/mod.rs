//! The reference lists a front end shows before anyone signs in: the qualités of the « Qualité »
//! choice and the regional councils.

use crate::{
    context::ApiContext,
    db::reference::{Quality, Region},
    error::ApiError,
};

/// Every qualité, in the guide's order.
pub async fn list_qualities(ctx: &ApiContext) -> Result<Vec<Quality>, ApiError> {
    ctx.db.run(|conn| Ok(Quality::all(conn)?)).await
}

/// Every regional council, in the guide's order.
pub async fn list_regions(ctx: &ApiContext) -> Result<Vec<Region>, ApiError> {
    ctx.db.run(|conn| Ok(Region::all(conn)?)).await
}
