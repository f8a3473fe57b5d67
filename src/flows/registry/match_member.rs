//! « Vous ne vous trouvez pas ? »: a member identifies themselves by SUPRA number and birth date.
//!
//! Strictly rate limited per client address and per SUPRA number, since a match confirms a
//! birth date.

use chrono::NaiveDate;

use crate::{
    context::ApiContext,
    db::registry::Member,
    domain::supra::SupraNumber,
    error::{ApiError, ErrorCode},
    flows::Client,
    limits,
};

/// What the person typed.
pub struct MemberIdentity {
    /// SUPRA number as typed (spaces are ignored).
    pub supra_number: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
}

/// The register entry with this number and birth date; refused with `no_match` when there is
/// none, `rate_limited` past either limit.
pub async fn match_member(
    ctx: &ApiContext,
    identity: MemberIdentity,
    client: Client,
) -> Result<Member, ApiError> {
    let MemberIdentity {
        supra_number,
        birth_date,
    } = identity;
    let supra =
        SupraNumber::parse(&supra_number).map_err(|issue| ApiError::validation(vec![issue]))?;
    limits::enforce(ctx, limits::REGISTRY_MATCH_PER_CLIENT, &client.address).await?;
    limits::enforce(ctx, limits::REGISTRY_MATCH_PER_SUPRA, supra.as_str()).await?;
    ctx.db
        .run(move |conn| Ok(Member::find_by_supra(conn, supra.as_str(), birth_date)?))
        .await?
        .ok_or_else(|| ApiError::of(ErrorCode::NoMatch))
}
