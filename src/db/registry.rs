//! The register of members and the portal's places: firms, bureaux, campaigns, personal files.
//! Loaded by `comptexpert import` and `comptexpert seed-demo`; read by registration and the portal.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::{
    dsl::{exists, not},
    prelude::*,
};

use super::{
    schema::{bureaux, campaigns, firms, member_name_words, members, personal_files},
    DbConnection,
};

/// A member of the register ("le tableau").
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = members)]
pub struct Member {
    /// Opaque reference (`member_ref` in the API), never the SUPRA number.
    pub id: String,
    pub supra_number: String,
    /// `M` or `MME`.
    pub civility: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: NaiveDate,
    pub registration_year: i32,
    pub quality_code: String,
    pub region_code: String,
    /// The address on file: registration emails go here and nowhere else.
    pub email: String,
    /// See [`crate::domain::names::search_key`].
    pub search_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The exclusive upper bound of a prefix range over `[a-z0-9]` keys: `~` sorts after them all
/// in byte order (PostgreSQL's column uses the "C" collation for this reason).
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}~")
}

impl Member {
    /// Members whose whole-name key (last name then first name) starts with `prefix` (already
    /// folded), after `after` (a key and id, exclusive) in (key, id) order, at most `limit`, with
    /// the key they matched by. A range on the indexed key rather than `LIKE`, so both backends
    /// read the index in order and stop at the limit.
    pub fn search(
        conn: &mut DbConnection,
        prefix: &str,
        after: Option<(&str, &str)>,
        limit: i64,
    ) -> QueryResult<Vec<(String, Self)>> {
        let mut query = members::table
            .filter(members::search_key.ge(prefix))
            .filter(members::search_key.lt(prefix_end(prefix)))
            .into_boxed();
        if let Some((key, id)) = after {
            query = query.filter(members::search_key.ge(key.to_owned())).filter(
                members::search_key
                    .gt(key.to_owned())
                    .or(members::id.gt(id.to_owned())),
            );
        }
        query
            .order((members::search_key, members::id))
            .limit(limit)
            .select((members::search_key, Self::as_select()))
            .load(conn)
    }

    /// Members matched by a later word of their compound last name (`lefevre` finds
    /// D'Artagnan-Lefèvre), in (word key, id) order after `after`, at most `limit`. A member
    /// comes once: not here when [`Member::search`] lists them, and by their first matching word.
    pub fn search_by_later_word(
        conn: &mut DbConnection,
        prefix: &str,
        after: Option<(&str, &str)>,
        limit: i64,
    ) -> QueryResult<Vec<(String, Self)>> {
        let earlier = diesel::alias!(member_name_words as earlier);
        let end = prefix_end(prefix);
        let mut query = member_name_words::table
            .inner_join(members::table)
            .filter(member_name_words::search_key.ge(prefix))
            .filter(member_name_words::search_key.lt(end.clone()))
            .filter(not(members::search_key
                .ge(prefix)
                .and(members::search_key.lt(end.clone()))))
            .filter(not(exists(
                earlier
                    .filter(
                        earlier
                            .field(member_name_words::member_id)
                            .eq(member_name_words::member_id),
                    )
                    .filter(
                        earlier
                            .field(member_name_words::position)
                            .lt(member_name_words::position),
                    )
                    .filter(earlier.field(member_name_words::search_key).ge(prefix))
                    .filter(earlier.field(member_name_words::search_key).lt(end)),
            )))
            .into_boxed();
        if let Some((key, id)) = after {
            query = query
                .filter(member_name_words::search_key.ge(key.to_owned()))
                .filter(
                    member_name_words::search_key
                        .gt(key.to_owned())
                        .or(member_name_words::member_id.gt(id.to_owned())),
                );
        }
        query
            .order((member_name_words::search_key, member_name_words::member_id))
            .limit(limit)
            .select((member_name_words::search_key, Self::as_select()))
            .load(conn)
    }

    /// The member with this SUPRA number and birth date, if any.
    pub fn find_by_supra(
        conn: &mut DbConnection,
        supra_number: &str,
        birth_date: NaiveDate,
    ) -> QueryResult<Option<Self>> {
        members::table
            .filter(members::supra_number.eq(supra_number))
            .filter(members::birth_date.eq(birth_date))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// One member by reference.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        members::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// One member by SUPRA number.
    pub fn find_by_supra_number(
        conn: &mut DbConnection,
        supra_number: &str,
    ) -> QueryResult<Option<Self>> {
        members::table
            .filter(members::supra_number.eq(supra_number))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}

/// A firm (société d'expertise comptable, a legal person).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = firms)]
pub struct Firm {
    pub id: String,
    /// The firm's reference in the Ordre's systems (natural key of the import).
    pub firm_ref: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An office (établissement) of a firm, in one region.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = bureaux)]
pub struct Bureau {
    pub id: String,
    /// "Ref établissement" (natural key of the import).
    pub bureau_ref: String,
    pub firm_id: String,
    pub region_code: String,
    /// `PRINCIPAL` or `SECONDAIRE`.
    pub inscription_type: String,
    pub address_line: String,
    pub postal_code: String,
    pub city: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One contribution year in one region.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = campaigns)]
pub struct Campaign {
    pub id: String,
    pub region_code: String,
    pub year: i32,
    pub is_open: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A member's own registration in a region, with the email the regional council knows.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = personal_files)]
pub struct PersonalFile {
    pub id: String,
    pub member_id: String,
    pub region_code: String,
    pub email: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Firm {
    /// One firm by id.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        firms::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// One firm by reference.
    pub fn find_by_ref(conn: &mut DbConnection, firm_ref: &str) -> QueryResult<Option<Self>> {
        firms::table
            .filter(firms::firm_ref.eq(firm_ref))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}

impl Bureau {
    /// Bureaux by id, in the dashboard's order (principal first, then by reference).
    pub fn find_all(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<Self>> {
        bureaux::table
            .filter(bureaux::id.eq_any(ids))
            .order((bureaux::inscription_type, bureaux::bureau_ref))
            .select(Self::as_select())
            .load(conn)
    }
}

impl Campaign {
    /// One campaign by id.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        campaigns::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}
