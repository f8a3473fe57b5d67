//! Reference data: qualités and regions.

use diesel::prelude::*;

use super::{
    schema::{qualities, regions},
    DbConnection,
};

/// A profile type a person can register as.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = qualities)]
pub struct Quality {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub registration_path: String,
    pub family: String,
    pub position: i32,
}

impl Quality {
    /// Every qualité, in the guide's order.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        qualities::table
            .order(qualities::position)
            .select(Self::as_select())
            .load(conn)
    }

    /// One qualité by code.
    pub fn find(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Self>> {
        qualities::table
            .find(code)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}

/// A regional council of the Ordre.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = regions, primary_key(code))]
pub struct Region {
    pub code: String,
    pub name: String,
    pub position: i32,
}

impl Region {
    /// True when a region has this code.
    pub fn exists(conn: &mut DbConnection, code: &str) -> QueryResult<bool> {
        let found: i64 = regions::table
            .filter(regions::code.eq(code))
            .count()
            .get_result(conn)?;
        Ok(found > 0)
    }

    /// Every region, in the guide's order.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        regions::table
            .order(regions::position)
            .select(Self::as_select())
            .load(conn)
    }

    /// One region by code.
    pub fn find(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Self>> {
        regions::table
            .find(code)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }
}
