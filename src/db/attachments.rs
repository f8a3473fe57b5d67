//! The persons attached to a bureau for a campaign (`attachments`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    schema::{attachments, declarations, ledger_entries, payment_allocations},
    DbConnection,
};
use crate::domain::states::DeclarationState;

/// A natural person (PP) or legal person (PM) attached to a bureau for a campaign.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    pub id: String,
    pub campaign_id: String,
    pub bureau_id: String,
    /// `PP` or `PM`.
    pub person_kind: String,
    pub member_id: Option<String>,
    pub firm_id: Option<String>,
    pub declaration_state: DeclarationState,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Attachment {
    /// True for a natural person.
    pub fn is_natural(&self) -> bool {
        self.person_kind == "PP"
    }

    /// One attachment of a bureau for a campaign.
    pub fn find_in_bureau(
        conn: &mut DbConnection,
        id: &str,
        campaign_id: &str,
        bureau_id: &str,
    ) -> QueryResult<Option<Self>> {
        attachments::table
            .find(id)
            .filter(attachments::campaign_id.eq(campaign_id))
            .filter(attachments::bureau_id.eq(bureau_id))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// True when the member (PP) or firm (PM) is already attached to the bureau for the campaign.
    pub fn exists(
        conn: &mut DbConnection,
        campaign_id: &str,
        bureau_id: &str,
        member_id: Option<&str>,
        firm_id: Option<&str>,
    ) -> QueryResult<bool> {
        let mut query = attachments::table
            .filter(attachments::campaign_id.eq(campaign_id))
            .filter(attachments::bureau_id.eq(bureau_id))
            .into_boxed();
        query = match (member_id, firm_id) {
            (Some(member), _) => query.filter(attachments::member_id.eq(member)),
            (None, Some(firm)) => query.filter(attachments::firm_id.eq(firm)),
            (None, None) => return Ok(false),
        };
        let found: i64 = query.count().get_result(conn)?;
        Ok(found > 0)
    }

    /// Inserts the attachment.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(attachments::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Sets the declaration state.
    pub fn set_state(
        conn: &mut DbConnection,
        id: &str,
        state: DeclarationState,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(attachments::table.find(id))
            .set((
                attachments::declaration_state.eq(state),
                attachments::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// True when anything was booked or reserved for this person: then it stays attached.
    pub fn has_bookings(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
        let entries: i64 = ledger_entries::table
            .filter(ledger_entries::attachment_id.eq(id))
            .count()
            .get_result(conn)?;
        let parts: i64 = payment_allocations::table
            .filter(payment_allocations::attachment_id.eq(id))
            .count()
            .get_result(conn)?;
        Ok(entries + parts > 0)
    }

    /// Removes an attachment that has nothing booked, with its unsubmitted drafts.
    pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
        diesel::delete(declarations::table.filter(declarations::attachment_id.eq(id)))
            .execute(conn)?;
        diesel::delete(attachments::table.find(id))
            .execute(conn)
            .map(|_| ())
    }
}

/// Display names of attached persons by attachment id: "DURAND Marie" for a member, the firm's
/// name for a firm. Two queries.
pub fn names(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, String>> {
    use super::schema::{firms, members};
    let people: Vec<(String, String, String)> = attachments::table
        .inner_join(members::table.on(attachments::member_id.eq(members::id.nullable())))
        .filter(attachments::id.eq_any(ids))
        .select((attachments::id, members::last_name, members::first_name))
        .load(conn)?;
    let companies: Vec<(String, String)> = attachments::table
        .inner_join(firms::table.on(attachments::firm_id.eq(firms::id.nullable())))
        .filter(attachments::id.eq_any(ids))
        .select((attachments::id, firms::name))
        .load(conn)?;
    Ok(people
        .into_iter()
        .map(|(id, last, first)| (id, format!("{} {first}", last.to_uppercase())))
        .chain(companies)
        .collect())
}
