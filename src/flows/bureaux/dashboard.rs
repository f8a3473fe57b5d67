//! "Tableau de bord régional": the bureaux the caller may manage in a region, firm by firm, with
//! each bureau's, firm's and the region's figures for the current campaign, a page of firms at
//! a time.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        portal::{self, BureauFigures},
        registry::{Bureau, Campaign},
    },
    domain::money::saturating_sum,
    error::{ApiError, FieldIssue},
    flows::portal::region_access,
    i18n::Text,
};

/// Firms per page when the caller does not say.
pub const DEFAULT_PAGE_FIRMS: usize = 50;
/// The most firms a page holds.
pub const MAX_PAGE_FIRMS: usize = 100;

/// A firm and its bureaux in the region, with their figures.
#[derive(Debug)]
pub struct FirmBureaux {
    pub firm_ref: String,
    pub firm_name: String,
    pub bureaux: Vec<(Bureau, BureauFigures)>,
    /// The sum of its bureaux' figures.
    pub totals: BureauFigures,
}

/// A page of the dashboard.
#[derive(Debug)]
pub struct Dashboard {
    pub campaign: Option<Campaign>,
    /// The firms of this page, by reference.
    pub firms: Vec<FirmBureaux>,
    /// The sum over every bureau of the region (every page).
    pub overall: BureauFigures,
    /// What the region's firms accept now, added firm by firm: one firm's credit never pays for
    /// another firm.
    pub payable_cents: i64,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
}

/// The page of `limit` firms (1 to 100, 50 when absent) after the firm `cursor` of the caller's
/// dashboard in `region_code`, in a fixed number of queries. Refused with `validation_failed`
/// for a limit out of range, and as every region route refuses.
pub async fn dashboard(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    limit: Option<u32>,
    cursor: Option<String>,
) -> Result<Dashboard, ApiError> {
    let limit = page_size(limit)?;
    let access = region_access(ctx, auth, region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            let rows = portal::visible_bureaux_in_region(conn, &access.visible, &region_code)?;
            let mut figures = match &access.campaign {
                Some(campaign) => {
                    let ids: Vec<String> = rows.iter().map(|(b, _)| b.id.clone()).collect();
                    portal::bureau_figures(conn, &campaign.id, &ids)?
                }
                None => Default::default(),
            };
            let mut overall = BureauFigures::default();
            let mut firms: Vec<FirmBureaux> = Vec::new();
            for (bureau, firm) in rows {
                let f = figures.remove(&bureau.id).unwrap_or_default();
                overall.add(&f);
                if firms.last().is_none_or(|g| g.firm_ref != firm.firm_ref) {
                    firms.push(FirmBureaux {
                        firm_ref: firm.firm_ref,
                        firm_name: firm.name,
                        bureaux: Vec::new(),
                        totals: BureauFigures::default(),
                    });
                }
                if let Some(group) = firms.last_mut() {
                    group.totals.add(&f);
                    group.bureaux.push((bureau, f));
                }
            }
            let payable_cents = saturating_sum(firms.iter().map(|g| g.totals.payable_cents()));
            let start = match &cursor {
                Some(after) => firms
                    .iter()
                    .position(|g| g.firm_ref.as_str() > after.as_str())
                    .unwrap_or(firms.len()),
                None => 0,
            };
            let mut page: Vec<FirmBureaux> = firms.into_iter().skip(start).collect();
            let next_cursor = (page.len() > limit).then(|| page[limit - 1].firm_ref.clone());
            page.truncate(limit);
            Ok(Dashboard {
                campaign: access.campaign,
                firms: page,
                overall,
                payable_cents,
                next_cursor,
            })
        })
        .await
}

/// The number of firms a page holds, or `validation_failed`.
pub fn page_size(limit: Option<u32>) -> Result<usize, ApiError> {
    let limit = limit.map_or(DEFAULT_PAGE_FIRMS, |l| l as usize);
    if (1..=MAX_PAGE_FIRMS).contains(&limit) {
        return Ok(limit);
    }
    Err(ApiError::validation(vec![FieldIssue::parameter(
        "limit",
        "range",
        Text::new(
            "limit doit être compris entre 1 et 100.",
            "limit must be between 1 and 100.",
        ),
    )]))
}
