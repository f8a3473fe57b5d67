use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::MemberProposal;
use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::registry::search_members::{self as flow, MemberPage, NameQuery},
};

/// Query of the name pre-fill.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Start of the last name, or of any later word of a compound last name, optionally followed
    /// by the first name ("durand", "Durand Ma", "d'artagnan", "lefevre hel"). Accents, case,
    /// spaces and punctuation are ignored. At least 2 letters or digits.
    #[param(example = "durand ma")]
    pub q: String,
    /// How many proposals (1 to 20, default 10).
    #[param(example = 10, minimum = 1, maximum = 20)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page, with the same `q`; absent for the first page.
    pub cursor: Option<String>,
}

/// Proposals matching the query: first the members whose last name starts with the query (by
/// last name, then first name), then those matched by a later word of a compound last name.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberProposalList {
    /// At most `limit` proposals.
    pub items: Vec<MemberProposal>,
    /// Whether more proposals follow this page.
    pub has_more: bool,
    /// Pass it as `cursor` (with the same `q`) for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Name pre-fill: a prefix search over the register of members, insensitive to accents, case and
/// punctuation, on the last name and on every later word of a compound last name, by pages.
/// Returns only what is needed to recognise oneself.
#[utoipa::path(
    tag = "registration",
    params(SearchQuery),
    responses(
        (status = 200, description = "Matching proposals", body = MemberProposalList),
        (status = 422, description = "`validation_failed`: query too short, `limit` out of range, or a `cursor` that is not one of this query's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/registry/members")]
pub async fn search_members(
    ctx: web::Data<ApiContext>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let SearchQuery { q, limit, cursor } = query.into_inner();
    let body = flow::search_members(&ctx, NameQuery { q, limit, cursor }, |page| {
        serde_json::to_vec(&MemberProposalList::from(page))
            .map(web::Bytes::from)
            .map_err(ApiError::internal)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

impl From<MemberPage> for MemberProposalList {
    fn from(page: MemberPage) -> Self {
        Self {
            items: page.members.into_iter().map(MemberProposal::from).collect(),
            has_more: page.has_more,
            next_cursor: page.next_cursor,
        }
    }
}
