//! The versions of each attached person's declaration (`declarations`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::declarations, DbConnection};
use crate::domain::states::DeclarationStatus;

/// One version of a declaration.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = declarations)]
pub struct Declaration {
    pub id: String,
    pub attachment_id: String,
    pub version: i32,
    pub status: DeclarationStatus,
    pub pp_category: Option<String>,
    pub new_member_year: Option<i32>,
    pub headcount_hundredths: Option<i32>,
    pub amount_cents: i64,
    pub correction_reason: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub superseded_at: Option<NaiveDateTime>,
}

impl Declaration {
    /// The draft or submitted version of a person, if any.
    pub fn current(conn: &mut DbConnection, attachment_id: &str) -> QueryResult<Option<Self>> {
        declarations::table
            .filter(declarations::attachment_id.eq(attachment_id))
            .filter(declarations::status.ne(DeclarationStatus::Superseded))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The current versions of several persons.
    pub fn current_of(
        conn: &mut DbConnection,
        attachment_ids: &[String],
    ) -> QueryResult<Vec<Self>> {
        declarations::table
            .filter(declarations::attachment_id.eq_any(attachment_ids))
            .filter(declarations::status.ne(DeclarationStatus::Superseded))
            .select(Self::as_select())
            .load(conn)
    }

    /// Every version of a person, oldest first: the audit trail.
    pub fn history(conn: &mut DbConnection, attachment_id: &str) -> QueryResult<Vec<Self>> {
        declarations::table
            .filter(declarations::attachment_id.eq(attachment_id))
            .order(declarations::version)
            .select(Self::as_select())
            .load(conn)
    }

    /// The highest version number of a person (0 when none).
    pub fn last_version(conn: &mut DbConnection, attachment_id: &str) -> QueryResult<i32> {
        let last: Option<i32> = declarations::table
            .filter(declarations::attachment_id.eq(attachment_id))
            .select(diesel::dsl::max(declarations::version))
            .first(conn)?;
        Ok(last.unwrap_or(0))
    }

    /// Inserts the version.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(declarations::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Replaces the content of a draft.
    pub fn update_draft(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::update(
            declarations::table
                .find(&self.id)
                .filter(declarations::status.eq(DeclarationStatus::Draft)),
        )
        .set((
            declarations::pp_category.eq(&self.pp_category),
            declarations::new_member_year.eq(self.new_member_year),
            declarations::headcount_hundredths.eq(self.headcount_hundredths),
            declarations::amount_cents.eq(self.amount_cents),
            declarations::created_by.eq(&self.created_by),
            declarations::updated_at.eq(self.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
    }

    /// Submits a draft.
    pub fn mark_submitted(
        conn: &mut DbConnection,
        id: &str,
        by: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(declarations::table.find(id))
            .set((
                declarations::status.eq(DeclarationStatus::Submitted),
                declarations::submitted_by.eq(by),
                declarations::submitted_at.eq(now),
                declarations::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// Marks a submitted version as replaced by a correction.
    pub fn mark_superseded(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(declarations::table.find(id))
            .set((
                declarations::status.eq(DeclarationStatus::Superseded),
                declarations::superseded_at.eq(now),
                declarations::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }
}
