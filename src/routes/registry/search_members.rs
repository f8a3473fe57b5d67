use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::MemberProposal;
use crate::{
    context::ApiContext,
    db::registry::Member,
    domain::names,
    error::{ApiError, FieldIssue, Problem},
    i18n::Text,
};

/// Shortest query, once folded (letters and digits only): shorter would list half the register.
pub const MIN_QUERY_LEN: usize = 2;
/// Default number of proposals.
pub const DEFAULT_LIMIT: u32 = 10;
/// Most proposals in one answer.
pub const MAX_LIMIT: u32 = 20;

/// Query of the name pre-fill.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Start of the last name, optionally followed by the first name ("durand", "Durand Ma",
    /// "d'artagnan"). Accents, case, spaces and punctuation are ignored. At least 2 letters or digits.
    #[param(example = "durand ma")]
    pub q: String,
    /// How many proposals (1 to 20, default 10).
    #[param(example = 10, minimum = 1, maximum = 20)]
    pub limit: Option<u32>,
}

/// Proposals matching the query, in alphabetical order.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberProposalList {
    /// At most `limit` proposals.
    pub items: Vec<MemberProposal>,
}

/// Name pre-fill: a prefix search over the register of members, insensitive to accents, case and
/// punctuation. Returns only what is needed to recognise oneself.
#[utoipa::path(
    tag = "registration",
    params(SearchQuery),
    responses(
        (status = 200, description = "Matching proposals", body = MemberProposalList),
        (status = 422, description = "Query too short or limit out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/registry/members")]
pub async fn search_members(
    ctx: web::Data<ApiContext>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let SearchQuery { q, limit } = query.into_inner();
    let prefix = names::fold_alphanumeric(&q);
    let mut issues = Vec::new();
    if prefix.chars().count() < MIN_QUERY_LEN || q.len() > 200 {
        issues.push(FieldIssue::new(
            "q",
            "min_length",
            Text::owned(
                format!("Saisissez au moins {MIN_QUERY_LEN} lettres du nom."),
                format!("Type at least {MIN_QUERY_LEN} letters of the last name."),
            ),
        ));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        issues.push(FieldIssue::new(
            "limit",
            "range",
            Text::owned(
                format!("limit doit être compris entre 1 et {MAX_LIMIT}."),
                format!("limit must be between 1 and {MAX_LIMIT}."),
            ),
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    if let Some(body) = ctx.search_cache.get(&prefix, limit) {
        return Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(body));
    }
    let key = prefix.clone();
    let members = ctx
        .db
        .run(move |conn| Ok(Member::search(conn, &prefix, i64::from(limit))?))
        .await?;
    let items = members.into_iter().map(MemberProposal::from).collect();
    let body = actix_web::web::Bytes::from(
        serde_json::to_vec(&MemberProposalList { items }).map_err(ApiError::internal)?,
    );
    ctx.search_cache.put(key, limit, body.clone());
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}
