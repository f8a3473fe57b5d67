//! The history of a person's declaration: every version, oldest first.

use super::{reach, with_authors, DeclarationVersion, PersonAt};
use crate::{
    auth::extractor::Authenticated, context::ApiContext, db::declarations::Declaration,
    error::ApiError, flows::portal::region_access,
};

/// Every version of the declaration of the person `at`, oldest first, with their authors.
pub async fn declaration_history(
    ctx: &ApiContext,
    auth: &Authenticated,
    at: PersonAt,
) -> Result<Vec<DeclarationVersion>, ApiError> {
    let access = region_access(ctx, auth, at.region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            let (_, person) = reach(conn, &access, &at)?;
            let versions = Declaration::history(conn, &person.id)?;
            with_authors(conn, versions)
        })
        .await
}
