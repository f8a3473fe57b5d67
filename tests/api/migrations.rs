//! The two migration folders describe one schema: after `migrate`, SQLite and PostgreSQL have the
//! same tables, columns (type family, nullability, primary key) and indexes; every down migration
//! runs, in reverse order, and the up migrations then rebuild the same schema.
//!
//! The PostgreSQL half needs `TEST_DATABASE_URL` (CI sets it); without it the comparison is skipped
//! with a message, and the SQLite down/up round trip still runs.

use std::collections::{BTreeMap, BTreeSet};

use comptexpert::db::{self, DbConnection};
use diesel::{
    connection::SimpleConnection,
    sql_types::{BigInt, Bool, Integer, Nullable, Text},
    PgConnection, QueryableByName, RunQueryDsl, SqliteConnection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::helpers::{isolated_database, TestSchema, TEST_DATABASE_URL};

// The same folders as src/db/mod.rs embeds: the up direction goes through `db::run_migrations`,
// the down direction needs the migrations themselves, which the library keeps private.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Deliberate differences between the backends' schemas, each with its reason. An entry that no
/// longer matches a difference fails the test too, so the list cannot rot.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "function rotate_refresh_token: PostgreSQL only",
    // Migration 000008 adds only this PL/pgSQL function (the refresh exchange in one call, its
    // plans kept per connection). SQLite has no stored functions: Session::rotate runs the same
    // statements one by one in a transaction, hence no 000008 in migrations/sqlite.
    "SQLite has no stored functions",
), (
    "function audit_log_append_only: PostgreSQL only",
    // Migration 000022's trigger function that refuses UPDATE and DELETE on the audit log;
    // SQLite's triggers (audit_log_no_update, audit_log_no_delete) carry their own RAISE.
    "a PostgreSQL trigger runs a function; a SQLite trigger holds its statements",
), (
    "index staff_roles_once: SQLite Some(Index { table: \"staff_roles\", columns: [\"account_id\", \"role\", \"(expression)\"], unique: true }), PostgreSQL Some(Index { table: \"staff_roles\", columns: [\"account_id\", \"role\", \"COALESCE(region_code, ''::text)\"], unique: true })",
    // The same expression index (a role once per account and region, national roles having none);
    // SQLite's index_xinfo names any expression "(expression)".
    "SQLite does not describe an index's expressions",
)];

/// One column as both backends can describe it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    family: String,
    not_null: bool,
    primary_key: bool,
}

/// One index: the columns (or expressions) it covers, in order, and whether it is unique.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    table: String,
    columns: Vec<String>,
    unique: bool,
}

/// A schema reduced to what both backends can say the same way.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    /// table → column → description.
    columns: BTreeMap<String, BTreeMap<String, Column>>,
    /// Index name → index. Indexes a constraint made (SQLite's `sqlite_autoindex_…`, PostgreSQL's
    /// `…_key`) have backend-made names; they are keyed `unique(table: columns)` instead.
    indexes: BTreeMap<String, Index>,
    /// Stored functions (PostgreSQL only has them).
    functions: BTreeSet<String>,
}

impl Schema {
    /// Every difference with `other`, one line each, `self` being SQLite and `other` PostgreSQL.
    fn differences(&self, other: &Schema) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let tables: BTreeSet<_> = self.columns.keys().chain(other.columns.keys()).collect();
        for table in tables {
            match (self.columns.get(table), other.columns.get(table)) {
                (Some(_), None) => {
                    found.insert(format!("table {table}: SQLite only"));
                }
                (None, Some(_)) => {
                    found.insert(format!("table {table}: PostgreSQL only"));
                }
                (Some(sqlite), Some(pg)) => {
                    let names: BTreeSet<_> = sqlite.keys().chain(pg.keys()).collect();
                    for name in names {
                        let (s, p) = (sqlite.get(name), pg.get(name));
                        if s != p {
                            found.insert(format!(
                                "column {table}.{name}: SQLite {s:?}, PostgreSQL {p:?}"
                            ));
                        }
                    }
                }
                (None, None) => {}
            }
        }
        let names: BTreeSet<_> = self.indexes.keys().chain(other.indexes.keys()).collect();
        for name in names {
            let (s, p) = (self.indexes.get(name), other.indexes.get(name));
            if s != p {
                found.insert(format!("index {name}: SQLite {s:?}, PostgreSQL {p:?}"));
            }
        }
        for name in self.functions.difference(&other.functions) {
            found.insert(format!("function {name}: SQLite only"));
        }
        for name in other.functions.difference(&self.functions) {
            found.insert(format!("function {name}: PostgreSQL only"));
        }
        found
    }
}

/// The family of a declared type: what the application can store in it, whatever the spelling.
fn type_family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    if t.starts_with("timestamp") || t == "datetime" {
        "timestamp"
    } else if t == "date" {
        "date"
    } else if t == "bigint" || t == "int8" || t == "bigserial" {
        "bigint"
    } else if t.contains("int") || t == "serial" {
        "integer"
    } else if t.starts_with("bool") {
        "bool"
    } else if t == "bytea" || t == "blob" || t == "binary" {
        "binary"
    } else if t == "text" || t.starts_with("varchar") || t.starts_with("character") {
        "text"
    } else if t == "real" || t.starts_with("double") || t == "float" {
        "float"
    } else {
        // An unknown spelling shows up in the comparison as itself rather than being guessed.
        return t;
    }
    .to_owned()
}

/// The key of an index in [`Schema::indexes`].
fn index_key(name: &str, made_by_constraint: bool, index: &Index) -> String {
    if made_by_constraint {
        format!("unique({}: {})", index.table, index.columns.join(", "))
    } else {
        name.to_owned()
    }
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteIndexColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Integer)]
    is_unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
}

fn sqlite_schema(conn: &mut SqliteConnection) -> Schema {
    let mut schema = Schema::default();
    let columns: Vec<SqliteColumn> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS column_type, \
                p.\"notnull\" AS not_null, p.pk AS pk \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
           AND m.name <> '__diesel_schema_migrations' \
         ORDER BY m.name, p.cid",
    )
    .load(conn)
    .expect("the SQLite columns");
    for c in columns {
        schema.columns.entry(c.table_name).or_default().insert(
            c.column_name,
            Column {
                family: type_family(&c.column_type),
                // SQLite lets a non-INTEGER primary key hold NULL unless told; PostgreSQL never
                // does, and the application never writes one.
                not_null: c.not_null != 0 || c.pk != 0,
                primary_key: c.pk != 0,
            },
        );
    }
    // The primary key's own index (origin `pk`) is compared through the columns above.
    let index_columns: Vec<SqliteIndexColumn> = diesel::sql_query(
        "SELECT m.name AS table_name, il.name AS index_name, il.\"unique\" AS is_unique, \
                il.origin AS origin, ii.name AS column_name \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
              JOIN pragma_index_xinfo(il.name) ii \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
           AND m.name <> '__diesel_schema_migrations' AND il.origin <> 'pk' AND ii.key = 1 \
         ORDER BY m.name, il.name, ii.seqno",
    )
    .load(conn)
    .expect("the SQLite indexes");
    let mut indexes: BTreeMap<String, (bool, Index)> = BTreeMap::new();
    for c in index_columns {
        let (_, index) = indexes.entry(c.index_name).or_insert_with(|| {
            (
                c.origin == "u",
                Index {
                    table: c.table_name,
                    columns: Vec::new(),
                    unique: c.is_unique != 0,
                },
            )
        });
        index
            .columns
            .push(c.column_name.unwrap_or_else(|| "(expression)".into()));
    }
    for (name, (by_constraint, index)) in indexes {
        schema
            .indexes
            .insert(index_key(&name, by_constraint, &index), index);
    }
    schema
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Bool)]
    pk: bool,
}

#[derive(QueryableByName)]
struct PgIndexColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    by_constraint: bool,
    #[diesel(sql_type = Text)]
    column_name: String,
}

fn pg_schema(conn: &mut PgConnection) -> Schema {
    let mut schema = Schema::default();
    let columns: Vec<PgColumn> = diesel::sql_query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                c.data_type::text AS column_type, c.is_nullable = 'NO' AS not_null, \
                EXISTS (SELECT 1 FROM information_schema.table_constraints tc \
                        JOIN information_schema.key_column_usage k \
                          ON k.constraint_name = tc.constraint_name \
                         AND k.table_schema = tc.table_schema \
                        WHERE tc.constraint_type = 'PRIMARY KEY' \
                          AND tc.table_schema = c.table_schema AND tc.table_name = c.table_name \
                          AND k.column_name = c.column_name) AS pk \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '__diesel_schema_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(conn)
    .expect("the PostgreSQL columns");
    for c in columns {
        schema.columns.entry(c.table_name).or_default().insert(
            c.column_name,
            Column {
                family: type_family(&c.column_type),
                not_null: c.not_null,
                primary_key: c.pk,
            },
        );
    }
    // Keys as pg_get_indexdef prints them (a column name, or an expression); the primary key's
    // index is compared through the columns above.
    let index_columns: Vec<PgIndexColumn> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                ix.indisunique AS is_unique, \
                EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid) \
                  AS by_constraint, \
                pg_get_indexdef(ix.indexrelid, k.ord::int, true) AS column_name \
         FROM pg_index ix \
              JOIN pg_class i ON i.oid = ix.indexrelid \
              JOIN pg_class t ON t.oid = ix.indrelid \
              JOIN pg_namespace n ON n.oid = t.relnamespace \
              CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts) AS k(ord) \
         WHERE n.nspname = current_schema() AND NOT ix.indisprimary \
           AND t.relname <> '__diesel_schema_migrations' \
         ORDER BY t.relname, i.relname, k.ord",
    )
    .load(conn)
    .expect("the PostgreSQL indexes");
    let mut indexes: BTreeMap<String, (bool, Index)> = BTreeMap::new();
    for c in index_columns {
        let (_, index) = indexes.entry(c.index_name).or_insert_with(|| {
            (
                c.by_constraint,
                Index {
                    table: c.table_name,
                    columns: Vec::new(),
                    unique: c.is_unique,
                },
            )
        });
        index.columns.push(c.column_name);
    }
    for (name, (by_constraint, index)) in indexes {
        schema
            .indexes
            .insert(index_key(&name, by_constraint, &index), index);
    }
    #[derive(QueryableByName)]
    struct PgFunction {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let functions: Vec<PgFunction> = diesel::sql_query(
        "SELECT p.proname::text AS name FROM pg_proc p \
         JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()",
    )
    .load(conn)
    .expect("the PostgreSQL functions");
    schema.functions = functions.into_iter().map(|f| f.name).collect();
    schema
}

/// The schema of the connection's backend.
fn schema_of(conn: &mut DbConnection) -> Schema {
    match conn {
        DbConnection::Sqlite(c) => sqlite_schema(c),
        DbConnection::Pg(c) => pg_schema(c),
    }
}

/// Reverts every migration, newest first, and returns their versions.
fn revert_all(conn: &mut DbConnection) -> Vec<String> {
    match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.revert_all_migrations(PG_MIGRATIONS),
    }
    .unwrap_or_else(|e| panic!("a down migration fails: {e}"))
    .iter()
    .map(ToString::to_string)
    .collect()
}

/// Migrates a fresh database, checks every down migration and the way back up, and returns the
/// migrated schema. `_schema` keeps a PostgreSQL test schema alive until the end.
fn migrated_and_round_tripped(url: &str) -> Schema {
    let pool = db::build_pool(url).expect("pool");
    let mut conn = pool.get().expect("a connection");
    let applied = db::run_migrations(&mut conn).expect("the migrations run");
    assert!(!applied.is_empty(), "a fresh database gets every migration");
    let migrated = schema_of(&mut conn);
    assert!(!migrated.columns.is_empty(), "the migrations made tables");

    let reverted = revert_all(&mut conn);
    assert_eq!(
        reverted.len(),
        applied.len(),
        "every applied migration was reverted: {reverted:?}"
    );
    let emptied = schema_of(&mut conn);
    assert!(
        emptied == Schema::default(),
        "the down migrations leave objects behind: {:?} {:?} {:?}",
        emptied.columns.keys().collect::<Vec<_>>(),
        emptied.indexes.keys().collect::<Vec<_>>(),
        emptied.functions
    );

    let reapplied = db::run_migrations(&mut conn).expect("the migrations run again");
    assert_eq!(reapplied, applied);
    let rebuilt = schema_of(&mut conn);
    let drift = migrated.differences(&rebuilt);
    assert!(
        drift.is_empty(),
        "down then up changed the schema: {drift:#?}"
    );
    migrated
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("migrations.db").display())
}

#[test]
fn every_sqlite_down_migration_runs_and_the_up_migrations_rebuild_the_schema() {
    let dir = tempfile::tempdir().expect("temporary directory");
    migrated_and_round_tripped(&sqlite_url(&dir));
}

#[test]
fn both_backends_have_the_same_schema_and_every_postgres_down_migration_runs() {
    if std::env::var(TEST_DATABASE_URL).is_ok_and(|v| !v.is_empty()) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let sqlite = migrated_and_round_tripped(&sqlite_url(&dir));
        let url = isolated_database(dir.path());
        let _schema = TestSchema::of(&url);
        let pg = migrated_and_round_tripped(&url);

        let differences = sqlite.differences(&pg);
        let allowed: BTreeSet<String> = KNOWN_DIFFERENCES
            .iter()
            .map(|(difference, _why)| (*difference).to_owned())
            .collect();
        let unexplained: Vec<_> = differences.difference(&allowed).collect();
        let stale: Vec<_> = allowed.difference(&differences).collect();
        assert!(
            unexplained.is_empty(),
            "the backends' schemas differ: {unexplained:#?}"
        );
        assert!(
            stale.is_empty(),
            "KNOWN_DIFFERENCES lists differences that are gone: {stale:#?}"
        );
    } else {
        eprintln!(
            "skipped: the migration parity with PostgreSQL needs {TEST_DATABASE_URL} (CI sets it)"
        );
    }
}

/// Reverts the newest migration.
fn revert_last(conn: &mut DbConnection) -> diesel::migration::Result<String> {
    match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        DbConnection::Pg(c) => c.revert_last_migration(PG_MIGRATIONS),
    }
    .map(|version| version.to_string())
}

/// Rows of every table whose amounts migration 000011 widens, and rows that reference them
/// (a webhook event names the payment, ledger entries name the declaration and the payment).
const MONEY_ROWS: &str = "
INSERT INTO campaigns VALUES ('c1', 'bretagne', 2026, TRUE, '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO firms VALUES ('f1', 'F-1', 'Cabinet', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO bureaux VALUES ('b1', 'B-1', 'f1', 'bretagne', 'PRINCIPAL', '1 rue', '35000', 'Rennes',
    '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO attachments VALUES ('a1', 'c1', 'b1', 'PM', NULL, 'f1', 'submitted',
    '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO contribution_scales VALUES ('bretagne', 2026, 45000, 38000, 7000, 5000, 5000, 2500,
    30000, 20000, 1250, '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO declarations (id, attachment_id, version, status, headcount_hundredths, amount_cents,
    created_at, updated_at, submitted_at)
    VALUES ('d1', 'a1', 1, 'submitted', 1250, 2000000000, '2026-01-01 00:00:00',
    '2026-01-01 00:00:00', '2026-01-01 00:00:01');
INSERT INTO payments (id, campaign_id, region_code, firm_id, bureau_id, method, status, amount_cents,
    transfer_reference, provider, provider_reference, created_at, updated_at)
    VALUES ('p1', 'c1', 'bretagne', 'f1', 'b1', 'transfer', 'pending', 2000030000, 'CE-2026-AAAA-BBBB',
    'bank', 'CE-2026-AAAA-BBBB', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
INSERT INTO payment_allocations VALUES ('p1', 0, 'b1', NULL, 30000);
INSERT INTO payment_allocations VALUES ('p1', 1, 'b1', 'a1', 2000000000);
INSERT INTO webhook_events VALUES ('bank', 'e1', 'payment.succeeded', 'p1', '2026-01-02 00:00:00');
INSERT INTO ledger_entries (id, campaign_id, bureau_id, attachment_id, entry_kind, amount_cents,
    reference, created_at, declaration_id, payment_id)
    VALUES ('l1', 'c1', 'b1', NULL, 'charge', 30000, 'bureau_fixed_part', '2026-01-01 00:00:00',
    NULL, NULL);
INSERT INTO ledger_entries (id, campaign_id, bureau_id, attachment_id, entry_kind, amount_cents,
    reference, created_at, declaration_id, payment_id)
    VALUES ('l2', 'c1', 'b1', 'a1', 'charge', 2000000000, 'declaration v1', '2026-01-01 00:00:00',
    'd1', NULL);
INSERT INTO ledger_entries (id, campaign_id, bureau_id, attachment_id, entry_kind, amount_cents,
    reference, created_at, declaration_id, payment_id)
    VALUES ('l3', 'c1', 'b1', 'a1', 'payment', 2000000000, 'CE-2026-AAAA-BBBB', '2026-01-02 00:00:00',
    NULL, 'p1');
";

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct MoneyRow {
    #[diesel(sql_type = Text)]
    what: String,
    #[diesel(sql_type = Nullable<Text>)]
    reference: Option<String>,
    #[diesel(sql_type = BigInt)]
    cents: i64,
}

/// Every amount of [`MONEY_ROWS`] with what it belongs to, in one order, read as 64-bit.
fn money_rows(conn: &mut DbConnection) -> Vec<MoneyRow> {
    diesel::sql_query(
        "SELECT 'scale' AS what, region_code AS reference,
                CAST(pp_independant_cents + pp_salarie_cents + bureau_fixed_cents + pm_fixed_cents
                     + pm_per_head_cents AS BIGINT) AS cents FROM contribution_scales
         UNION ALL SELECT 'declaration ' || id, attachment_id, CAST(amount_cents AS BIGINT)
           FROM declarations
         UNION ALL SELECT 'payment ' || id, transfer_reference, CAST(amount_cents AS BIGINT)
           FROM payments
         UNION ALL SELECT 'part ' || payment_id || ' ' || CAST(position AS TEXT), attachment_id,
                CAST(amount_cents AS BIGINT) FROM payment_allocations
         UNION ALL SELECT 'entry ' || id, COALESCE(declaration_id, payment_id),
                CAST(amount_cents AS BIGINT) FROM ledger_entries
         UNION ALL SELECT 'event ' || event_id, payment_id, CAST(0 AS BIGINT) FROM webhook_events
         ORDER BY 1",
    )
    .load(conn)
    .expect("the money rows")
}

/// SQLite's check of every foreign key (PostgreSQL checks them at each statement).
fn dangling_references(conn: &mut DbConnection) -> usize {
    #[derive(QueryableByName)]
    struct Violation {
        #[diesel(sql_type = Text)]
        #[allow(dead_code, reason = "only counted")]
        table: String,
    }
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query("PRAGMA foreign_key_check")
            .load::<Violation>(c)
            .expect("foreign key check")
            .len(),
        DbConnection::Pg(_) => 0,
    }
}

#[test]
fn the_money_migration_keeps_every_row_and_reference_and_takes_64_bit_amounts() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = isolated_database(dir.path());
    let _schema = TestSchema::of(&url);
    let pool = db::build_pool(&url).expect("pool");
    let mut conn = pool.get().expect("a connection");
    db::run_migrations(&mut conn).expect("the migrations run");
    // Back to 32-bit amounts (the later migrations first), with rows written then.
    let reverted = revert_through(&mut conn, MONEY_MIGRATION);
    conn.batch_execute(MONEY_ROWS)
        .expect("rows of 32-bit amounts");
    let before = money_rows(&mut conn);
    assert_eq!(before.len(), 9, "{before:#?}");

    let applied = db::run_migrations(&mut conn).expect("000011 up");
    assert_eq!(applied.len(), reverted.len(), "{applied:?}");
    assert_eq!(
        money_rows(&mut conn),
        before,
        "every row and reference kept"
    );
    assert_eq!(dangling_references(&mut conn), 0);

    // Past 21 474 836,47 €, read back to the cent.
    conn.batch_execute(
        "UPDATE ledger_entries SET amount_cents = 6000000000 WHERE id = 'l2';
         UPDATE declarations SET amount_cents = 6000000000 WHERE id = 'd1';",
    )
    .expect("a 64-bit amount");
    let after = money_rows(&mut conn);
    let cents_of = |rows: &[MoneyRow], what: &str| {
        rows.iter()
            .find(|r| r.what == what)
            .map(|r| r.cents)
            .expect("the row")
    };
    assert_eq!(cents_of(&after, "entry l2"), 6_000_000_000);
    assert_eq!(cents_of(&after, "declaration d1"), 6_000_000_000);

    if matches!(*conn, DbConnection::Sqlite(_)) {
        // The same storage either way: going down truncates nothing.
        revert_through(&mut conn, MONEY_MIGRATION);
        assert_eq!(money_rows(&mut conn), after);
        assert_eq!(dangling_references(&mut conn), 0);
    } else {
        // An amount past INTEGER stops the way down, which changes nothing.
        let later = reverted.len() - 1;
        for _ in 0..later {
            revert_last(&mut conn).expect("a later migration down");
        }
        assert!(revert_last(&mut conn).is_err(), "INTEGER cannot hold it");
        assert_eq!(money_rows(&mut conn), after);
        assert_eq!(db::run_migrations(&mut conn).expect("up").len(), later);
        assert!(db::migrations_up_to_date(&mut conn).expect("migrations"));
    }
}

/// The version of the migration to 64-bit money.
const MONEY_MIGRATION: &str = "20261127000011";

/// Reverts the migrations from the last one down to `version` included; their versions, last
/// first.
fn revert_through(conn: &mut DbConnection, version: &str) -> Vec<String> {
    let mut reverted = Vec::new();
    loop {
        let last = revert_last(conn).expect("a migration down");
        let done = last.replace('-', "") == version;
        reverted.push(last);
        if done {
            return reverted;
        }
        assert!(reverted.len() < 20, "{version} not found: {reverted:?}");
    }
}

#[test]
fn the_comparison_reports_each_kind_of_drift() {
    let column = |family: &str, not_null| Column {
        family: family.to_owned(),
        not_null,
        primary_key: false,
    };
    let index = |columns: &[&str], unique| Index {
        table: "members".into(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        unique,
    };
    let mut sqlite = Schema::default();
    sqlite.columns.insert(
        "members".into(),
        BTreeMap::from([
            ("email".into(), column("text", true)),
            ("born_on".into(), column("date", false)),
        ]),
    );
    sqlite.columns.insert("firms".into(), BTreeMap::new());
    sqlite
        .indexes
        .insert("members_email".into(), index(&["email"], true));
    let mut pg = Schema::default();
    pg.columns.insert(
        "members".into(),
        BTreeMap::from([
            ("email".into(), column("text", false)),
            (
                "born_on".into(),
                column(&type_family("timestamp without time zone"), false),
            ),
        ]),
    );
    pg.indexes
        .insert("members_email".into(), index(&["email"], false));
    pg.functions.insert("f".into());
    let differences: Vec<_> = sqlite.differences(&pg).into_iter().collect();
    let kinds: Vec<_> = differences
        .iter()
        .map(|d| d.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "column members.born_on",
            "column members.email",
            "function f",
            "index members_email",
            "table firms"
        ],
        "{differences:#?}"
    );
    assert_eq!(sqlite.differences(&sqlite), BTreeSet::new());
}
