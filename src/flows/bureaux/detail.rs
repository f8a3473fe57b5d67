//! One bureau for the current campaign: its persons with their declarations, and its figures.

use std::collections::HashMap;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        declarations::Declaration,
        portal::{self, AttachedPerson, BureauFigures},
        registry::{Bureau, Campaign, Firm},
    },
    error::ApiError,
    flows::{
        declarations::{with_authors, DeclarationVersion},
        portal::{bureau_not_found, region_access},
    },
};

/// A bureau as its detail screen shows it.
#[derive(Debug)]
pub struct BureauDetail {
    pub bureau: Bureau,
    pub firm: Firm,
    /// The region's current campaign, if it has one (without it, no persons and zero figures).
    pub campaign: Option<Campaign>,
    /// The natural persons (PP), by name, with the current version of their declaration.
    pub natural_persons: Vec<(AttachedPerson, Option<DeclarationVersion>)>,
    /// The legal persons (PM), likewise.
    pub legal_persons: Vec<(AttachedPerson, Option<DeclarationVersion>)>,
    pub figures: BureauFigures,
}

/// The bureau `bureau_ref` of `region_code` if the caller may see it (`bureau_not_found`
/// otherwise, also for a bureau of another region), in a fixed number of queries.
pub async fn bureau_detail(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    bureau_ref: String,
) -> Result<BureauDetail, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            let (bureau, firm) =
                portal::visible_bureau(conn, &access.visible, &region_code, &bureau_ref)?
                    .ok_or_else(bureau_not_found)?;
            let (persons, figures) = match &access.campaign {
                Some(campaign) => (
                    portal::attached_persons(conn, &campaign.id, &bureau.id)?,
                    portal::bureau_figures(conn, &campaign.id, std::slice::from_ref(&bureau.id))?
                        .remove(&bureau.id)
                        .unwrap_or_default(),
                ),
                None => (Vec::new(), BureauFigures::default()),
            };
            let ids: Vec<String> = persons.iter().map(|p| p.attachment_id.clone()).collect();
            let current = Declaration::current_of(conn, &ids)?;
            let mut declarations: HashMap<String, DeclarationVersion> =
                with_authors(conn, current)?
                    .into_iter()
                    .map(|v| (v.declaration.attachment_id.clone(), v))
                    .collect();
            let (natural, legal): (Vec<_>, Vec<_>) =
                persons.into_iter().partition(|p| p.person_kind == "PP");
            let mut with_declaration = |p: AttachedPerson| {
                let declaration = declarations.remove(&p.attachment_id);
                (p, declaration)
            };
            Ok(BureauDetail {
                natural_persons: natural.into_iter().map(&mut with_declaration).collect(),
                legal_persons: legal.into_iter().map(&mut with_declaration).collect(),
                bureau,
                firm,
                campaign: access.campaign,
                figures,
            })
        })
        .await
}
