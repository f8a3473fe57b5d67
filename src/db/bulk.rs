//! Bulk access to the register for `comptexpert import` and the demo data: multi-row inserts cut
//! to the backends' parameter limits, and look-ups by natural key a chunk of keys at a time.
//!
//! Under diesel's `MultiConnection`, neither `on_conflict` (the generated backend declares
//! `DoesNotSupportOnConflictClause`) nor `insert_into(t).values(&vec)` compiles. Multi-row inserts
//! therefore run on the backend's own connection, and an upsert is a look-up by natural key
//! followed by a batched insert of the new rows and an update of the changed ones, all inside the
//! caller's transaction.

use diesel::prelude::*;

use super::{
    reference::Region,
    registry::{Bureau, Campaign, Firm, Member, PersonalFile},
    schema::{bureaux, campaigns, firms, member_name_words, members, personal_files, regions},
    DbConnection,
};
use crate::domain::names;

/// Rows per multi-row `INSERT`. The widest register table (`members`) has 13 columns:
/// 2,000 rows bind 26,000 parameters, under SQLite's 32,766 and PostgreSQL's 65,535.
pub const ROWS_PER_INSERT: usize = 2_000;

/// Keys per `IN (…)` look-up, under both backends' parameter limits.
pub const KEYS_PER_LOOKUP: usize = 5_000;

/// Rows inserted at once above which PostgreSQL's statistics of the table are refreshed.
pub const ANALYZE_AFTER_ROWS: usize = 1_000;

/// A register table written in bulk: new rows inserted many per statement, changed rows updated
/// by primary key (the natural key was matched beforehand, so the row keeps its id).
pub trait BulkWrite: Sized {
    /// Inserts every row, [`ROWS_PER_INSERT`] per statement; returns the number inserted.
    fn insert_all(conn: &mut DbConnection, rows: &[Self]) -> QueryResult<usize>;

    /// Overwrites the stored row that has this row's primary key.
    fn update(conn: &mut DbConnection, row: &Self) -> QueryResult<usize>;
}

/// Nothing to write beside the rows themselves.
fn no_companions<T>(_conn: &mut DbConnection, _rows: &[T], _replace: bool) -> QueryResult<()> {
    Ok(())
}

/// `bulk_write!(Model, table, key[, companions])`: `companions(conn, rows, replace)` writes the rows
/// derived from these (replacing those of updated rows when `replace`), in the same transaction.
macro_rules! bulk_write {
    ($model:ty, $table:ident, $key:ident) => {
        bulk_write!($model, $table, $key, no_companions);
    };
    ($model:ty, $table:ident, $key:ident, $companions:path) => {
        impl BulkWrite for $model {
            fn insert_all(conn: &mut DbConnection, rows: &[Self]) -> QueryResult<usize> {
                let mut inserted = 0;
                for chunk in rows.chunks(ROWS_PER_INSERT) {
                    let statement = diesel::insert_into($table::table).values(chunk);
                    // The multi-backend cannot render a multi-row VALUES list (its dialect has no
                    // DEFAULT keyword type), so the statement runs on the backend's own connection:
                    // transactions delegate to that same connection, so it stays in the caller's.
                    inserted += match conn {
                        DbConnection::Pg(pg) => statement.execute(pg)?,
                        DbConnection::Sqlite(sqlite) => statement.execute(sqlite)?,
                    };
                }
                if inserted >= ANALYZE_AFTER_ROWS && matches!(conn, DbConnection::Pg(_)) {
                    // A table filled inside the running transaction still looks empty to the
                    // planner, which then scans it whole for every `= ANY(…)` look-up that
                    // follows (an import of 100,000 members took minutes instead of seconds).
                    // ANALYZE may run in a transaction and counts the transaction's own rows.
                    diesel::sql_query(concat!("ANALYZE ", stringify!($table))).execute(conn)?;
                }
                $companions(conn, rows, false)?;
                Ok(inserted)
            }

            fn update(conn: &mut DbConnection, row: &Self) -> QueryResult<usize> {
                let updated = diesel::update($table::table.find(&row.$key))
                    .set(row)
                    .execute(conn)?;
                $companions(conn, std::slice::from_ref(row), true)?;
                Ok(updated)
            }
        }
    };
}

bulk_write!(Region, regions, code);
bulk_write!(Member, members, id, write_name_words);
bulk_write!(Firm, firms, id);
bulk_write!(Bureau, bureaux, id);
bulk_write!(PersonalFile, personal_files, id);
bulk_write!(Campaign, campaigns, id);

/// One later word of a member's compound last name (see [`crate::domain::names::word_search_keys`]).
#[derive(Debug, Insertable)]
#[diesel(table_name = member_name_words)]
struct NameWord {
    member_id: String,
    position: i32,
    search_key: String,
}

/// The name pre-fill's word keys of these members, written beside them; an updated member's
/// previous keys go first (its name may have changed).
fn write_name_words(conn: &mut DbConnection, rows: &[Member], replace: bool) -> QueryResult<()> {
    if replace {
        let ids: Vec<&str> = rows.iter().map(|m| m.id.as_str()).collect();
        for chunk in ids.chunks(KEYS_PER_LOOKUP) {
            diesel::delete(
                member_name_words::table.filter(member_name_words::member_id.eq_any(chunk)),
            )
            .execute(conn)?;
        }
    }
    let words: Vec<NameWord> = rows
        .iter()
        .flat_map(|member| {
            names::word_search_keys(&member.last_name, &member.first_name)
                .into_iter()
                .map(|(position, search_key)| NameWord {
                    member_id: member.id.clone(),
                    position,
                    search_key,
                })
        })
        .collect();
    let mut inserted = 0;
    for chunk in words.chunks(ROWS_PER_INSERT) {
        let statement = diesel::insert_into(member_name_words::table).values(chunk);
        inserted += match conn {
            DbConnection::Pg(pg) => statement.execute(pg)?,
            DbConnection::Sqlite(sqlite) => statement.execute(sqlite)?,
        };
    }
    if inserted >= ANALYZE_AFTER_ROWS && matches!(conn, DbConnection::Pg(_)) {
        diesel::sql_query("ANALYZE member_name_words").execute(conn)?;
    }
    Ok(())
}

/// Fills the word keys of members stored before they existed (once, when the table is empty and
/// the register is not): the migration that made the table cannot fold names in SQL.
pub fn backfill_name_words(conn: &mut DbConnection) -> QueryResult<usize> {
    let any_word = member_name_words::table
        .select(member_name_words::member_id)
        .first::<String>(conn)
        .optional()?;
    if any_word.is_some() {
        return Ok(0);
    }
    let members = members::table.select(Member::as_select()).load(conn)?;
    write_name_words(conn, &members, false)?;
    Ok(members.len())
}

/// Runs `lookup` over `keys` a chunk at a time and gathers the rows found.
fn in_chunks<K, T>(
    keys: &[K],
    mut lookup: impl FnMut(&[K]) -> QueryResult<Vec<T>>,
) -> QueryResult<Vec<T>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(KEYS_PER_LOOKUP) {
        found.extend(lookup(chunk)?);
    }
    Ok(found)
}

impl Member {
    /// The members holding these SUPRA numbers (unknown numbers are simply absent).
    pub fn find_by_supra_numbers(
        conn: &mut DbConnection,
        supra_numbers: &[String],
    ) -> QueryResult<Vec<Self>> {
        in_chunks(supra_numbers, |chunk| {
            members::table
                .filter(members::supra_number.eq_any(chunk))
                .select(Self::as_select())
                .load(conn)
        })
    }

    /// How many members the register holds.
    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        members::table.count().get_result(conn)
    }
}

impl Firm {
    /// The firms with these references.
    pub fn find_by_refs(conn: &mut DbConnection, firm_refs: &[String]) -> QueryResult<Vec<Self>> {
        in_chunks(firm_refs, |chunk| {
            firms::table
                .filter(firms::firm_ref.eq_any(chunk))
                .select(Self::as_select())
                .load(conn)
        })
    }

    /// How many firms the register holds.
    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        firms::table.count().get_result(conn)
    }
}

impl Bureau {
    /// The bureaux with these references ("Ref établissement").
    pub fn find_by_refs(conn: &mut DbConnection, bureau_refs: &[String]) -> QueryResult<Vec<Self>> {
        in_chunks(bureau_refs, |chunk| {
            bureaux::table
                .filter(bureaux::bureau_ref.eq_any(chunk))
                .select(Self::as_select())
                .load(conn)
        })
    }
}

impl PersonalFile {
    /// Every personal file of these members, in whichever region.
    pub fn find_by_members(
        conn: &mut DbConnection,
        member_ids: &[String],
    ) -> QueryResult<Vec<Self>> {
        in_chunks(member_ids, |chunk| {
            personal_files::table
                .filter(personal_files::member_id.eq_any(chunk))
                .select(Self::as_select())
                .load(conn)
        })
    }
}

impl Campaign {
    /// Every region's campaign for these years.
    pub fn find_by_years(conn: &mut DbConnection, years: &[i32]) -> QueryResult<Vec<Self>> {
        in_chunks(years, |chunk| {
            campaigns::table
                .filter(campaigns::year.eq_any(chunk))
                .select(Self::as_select())
                .load(conn)
        })
    }

    /// How many campaigns exist, all regions and years together.
    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        campaigns::table.count().get_result(conn)
    }
}
