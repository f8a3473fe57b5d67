use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::MemberProposal;
use crate::{
    context::ApiContext,
    db::registry::Member,
    domain::supra::SupraNumber,
    error::{ApiError, ErrorCode, Problem},
    limits,
};

/// "Vous ne vous trouvez pas ?": identify oneself by SUPRA number and birth date.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MatchRequest {
    /// Registration number at the Ordre (digits; spaces are ignored).
    #[schema(example = "12345678")]
    pub supra_number: String,
    /// Date of birth, `YYYY-MM-DD`.
    #[schema(example = "1978-04-12", value_type = String, format = Date)]
    pub birth_date: NaiveDate,
}

/// Find one's register entry by SUPRA number and birth date. Strictly rate limited per client
/// address and per SUPRA number, since it confirms a birth date.
#[utoipa::path(
    tag = "registration",
    request_body = MatchRequest,
    responses(
        (status = 200, description = "The matching register entry", body = MemberProposal),
        (status = 404, description = "`no_match`: no member has this number and birth date", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed SUPRA number or date", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/registry/matches")]
pub async fn match_member(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    body: web::Json<MatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let MatchRequest {
        supra_number,
        birth_date,
    } = body.into_inner();
    let supra =
        SupraNumber::parse(&supra_number).map_err(|issue| ApiError::validation(vec![issue]))?;
    limits::enforce(
        &ctx,
        limits::REGISTRY_MATCH_PER_CLIENT,
        &limits::client_address(&req),
    )
    .await?;
    limits::enforce(&ctx, limits::REGISTRY_MATCH_PER_SUPRA, supra.as_str()).await?;
    let member = ctx
        .db
        .run(move |conn| Ok(Member::find_by_supra(conn, supra.as_str(), birth_date)?))
        .await?
        .ok_or_else(no_match)?;
    Ok(HttpResponse::Ok().json(MemberProposal::from(member)))
}

fn no_match() -> ApiError {
    ApiError::of(ErrorCode::NoMatch)
}
