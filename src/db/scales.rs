//! The barème of each region and campaign year (`contribution_scales`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::contribution_scales, DbConnection};
use crate::domain::amount::Scale;

/// What [`ScaleRow::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// No barème for that region and year: inserted.
    Inserted,
    /// A barème with other figures: replaced.
    Updated,
    /// The same figures: nothing written.
    Unchanged,
}

/// One stored barème.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contribution_scales)]
pub struct ScaleRow {
    pub region_code: String,
    pub campaign_year: i32,
    pub pp_independant_cents: i64,
    pub pp_salarie_cents: i64,
    pub pp_83ter_rate_bp: i32,
    pub pp_83quater_rate_bp: i32,
    pub new_member_year1_reduction_bp: i32,
    pub new_member_year2_reduction_bp: i32,
    pub bureau_fixed_cents: i64,
    pub pm_fixed_cents: i64,
    pub pm_per_head_cents: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ScaleRow {
    /// The barème of a region for a campaign year, if loaded.
    pub fn find(
        conn: &mut DbConnection,
        region_code: &str,
        campaign_year: i32,
    ) -> QueryResult<Option<Self>> {
        contribution_scales::table
            .find((region_code, campaign_year))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Whether the stored barème `other` holds the same figures as this one.
    fn same_figures(&self, other: &Self) -> bool {
        let figures = |r: &Self| {
            (
                [
                    r.pp_independant_cents,
                    r.pp_salarie_cents,
                    r.bureau_fixed_cents,
                    r.pm_fixed_cents,
                    r.pm_per_head_cents,
                ],
                [
                    r.pp_83ter_rate_bp,
                    r.pp_83quater_rate_bp,
                    r.new_member_year1_reduction_bp,
                    r.new_member_year2_reduction_bp,
                ],
            )
        };
        figures(self) == figures(other)
    }

    /// Inserts the row, or replaces the amounts of the one already loaded for its key when they
    /// differ; says which.
    pub fn upsert(&self, conn: &mut DbConnection) -> QueryResult<Upserted> {
        match Self::find(conn, &self.region_code, self.campaign_year)? {
            Some(stored) if self.same_figures(&stored) => return Ok(Upserted::Unchanged),
            Some(_) => {}
            None => {
                diesel::insert_into(contribution_scales::table)
                    .values(self)
                    .execute(conn)?;
                return Ok(Upserted::Inserted);
            }
        }
        diesel::update(contribution_scales::table.find((&self.region_code, self.campaign_year)))
            .set((
                contribution_scales::pp_independant_cents.eq(self.pp_independant_cents),
                contribution_scales::pp_salarie_cents.eq(self.pp_salarie_cents),
                contribution_scales::pp_83ter_rate_bp.eq(self.pp_83ter_rate_bp),
                contribution_scales::pp_83quater_rate_bp.eq(self.pp_83quater_rate_bp),
                contribution_scales::new_member_year1_reduction_bp
                    .eq(self.new_member_year1_reduction_bp),
                contribution_scales::new_member_year2_reduction_bp
                    .eq(self.new_member_year2_reduction_bp),
                contribution_scales::bureau_fixed_cents.eq(self.bureau_fixed_cents),
                contribution_scales::pm_fixed_cents.eq(self.pm_fixed_cents),
                contribution_scales::pm_per_head_cents.eq(self.pm_per_head_cents),
                contribution_scales::updated_at.eq(self.updated_at),
            ))
            .execute(conn)?;
        Ok(Upserted::Updated)
    }

    /// The amounts, for the computation.
    pub fn scale(&self) -> Scale {
        Scale {
            pp_independant_cents: self.pp_independant_cents,
            pp_salarie_cents: self.pp_salarie_cents,
            pp_83ter_rate_bp: self.pp_83ter_rate_bp.into(),
            pp_83quater_rate_bp: self.pp_83quater_rate_bp.into(),
            new_member_year1_reduction_bp: self.new_member_year1_reduction_bp.into(),
            new_member_year2_reduction_bp: self.new_member_year2_reduction_bp.into(),
            bureau_fixed_cents: self.bureau_fixed_cents,
            pm_fixed_cents: self.pm_fixed_cents,
            pm_per_head_cents: self.pm_per_head_cents,
        }
    }
}
