use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::MemberProposal;
use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        registry::match_member::{match_member as find_match, MemberIdentity},
        Client,
    },
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
    client: Client,
    body: web::Json<MatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let MatchRequest {
        supra_number,
        birth_date,
    } = body.into_inner();
    let identity = MemberIdentity {
        supra_number,
        birth_date,
    };
    let member = find_match(&ctx, identity, client).await?;
    Ok(HttpResponse::Ok().json(MemberProposal::from(member)))
}
