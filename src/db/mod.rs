//! Database access: one diesel code path over SQLite or PostgreSQL, chosen at run time from the URL.
//!
//! Nothing here knows HTTP. Model functions take `&mut DbConnection` so that a caller can run several
//! of them inside one transaction.

pub mod schema;

pub mod accounts;
pub mod attachments;
pub mod bulk;
pub mod declarations;
pub mod email_verifications;
pub mod expertpass_challenges;
pub mod expertpass_devices;
pub mod idempotency;
pub mod ledger;
pub mod login_throttles;
pub mod outbox;
pub mod password_tokens;
pub mod payments;
pub mod portal;
pub mod rate_limits;
pub mod reference;
pub mod registry;
pub mod scales;
pub mod security_events;
pub mod sessions;
pub mod signexpert_certificates;
pub mod signexpert_challenges;

use std::{path::Path, time::Duration};

use diesel::{
    connection::SimpleConnection,
    r2d2::{self, ManageConnection},
    result::QueryResult,
    Connection, PgConnection, SqliteConnection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The two backends behind one connection type; diesel generates the shared query support.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, the scale-out path.
    Pg(PgConnection),
    /// SQLite, the embedded default.
    Sqlite(SqliteConnection),
}

/// Which backend a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `sqlite://path` or a plain file path.
    Sqlite,
}

impl BackendKind {
    /// Picks the backend from the URL scheme; anything that is not PostgreSQL is a SQLite path.
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// The SQLite file path of a `sqlite://` URL or a plain path.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Opens connections for r2d2, choosing the backend from the URL scheme so that a connection
/// error is reported as it is (diesel's own multi-backend `establish` hides the real cause).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    kind: BackendKind,
}

/// A connection failure, with the backend's own message.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// Could not open the connection.
    #[error("{0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A query on a fresh connection failed.
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        match self.kind {
            BackendKind::Postgres => Ok(DbConnection::Pg(PgConnection::establish(&self.url)?)),
            BackendKind::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(&self.url))?;
                // Per connection: wait for a writer instead of failing, and enforce foreign keys.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                    SQLITE_BUSY_TIMEOUT.as_millis()
                ))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        Ok(conn.batch_execute("SELECT 1")?)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // diesel's own fast check (a connection left in a broken transaction, a lost PostgreSQL
        // socket): such a connection is dropped when it returns to the pool instead of being lent again.
        use diesel::r2d2::R2D2Connection;
        match conn {
            DbConnection::Pg(c) => c.is_broken(),
            DbConnection::Sqlite(c) => c.is_broken(),
        }
    }
}

/// The shared pool of connections.
pub type Pool = r2d2::Pool<ConnectionManager>;
/// A connection borrowed from the pool.
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Builds the pool. For SQLite, creates the parent folder and switches the file to WAL once,
/// before the pool exists (doing it per connection makes concurrent starts fail with "locked").
pub fn build_pool(url: &str) -> Result<Pool, String> {
    let kind = BackendKind::of(url);
    let max_size = match kind {
        BackendKind::Sqlite => 8,
        BackendKind::Postgres => 16,
    };
    if kind == BackendKind::Sqlite {
        let path = sqlite_path(url);
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut conn = SqliteConnection::establish(path).map_err(|e| e.to_string())?;
        conn.batch_execute("PRAGMA journal_mode = WAL;")
            .map_err(|e| e.to_string())?;
    }
    let manager = ConnectionManager {
        url: url.to_owned(),
        kind,
    };
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        // r2d2 would run `SELECT 1` before lending each connection: a second round trip for every
        // request. A broken connection shows up as a failed query instead (a 503, and r2d2
        // replaces connections that report `has_broken`); /ready checks the database explicitly.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| e.to_string())
}

/// Applies the migrations of the connection's backend that are not yet applied.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConnection::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| e.to_string())?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// True when every embedded migration is applied (readiness).
pub fn migrations_up_to_date(conn: &mut DbConnection) -> Result<bool, String> {
    let pending = match conn {
        DbConnection::Pg(c) => c.has_pending_migration(PG_MIGRATIONS),
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    }
    .map_err(|e| e.to_string())?;
    Ok(!pending)
}

/// The backend a connection talks to.
pub fn kind_of(conn: &DbConnection) -> BackendKind {
    match conn {
        DbConnection::Pg(_) => BackendKind::Postgres,
        DbConnection::Sqlite(_) => BackendKind::Sqlite,
    }
}

/// True when an error is a violation of a unique constraint (a concurrent insert won the race).
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// The current instant truncated to the second: PostgreSQL keeps microseconds and SQLite text
/// keeps what it is given, so both backends store and return the same value.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond_zero()
}

trait NanoZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl NanoZero for chrono::NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// Serialises this process's SQLite write transactions (see [`write_transaction`]). One lock for
/// every SQLite file the process opens: a service opens one; the test suite's many short-lived
/// databases then take turns for their (millisecond) write transactions, which is harmless.
static SQLITE_WRITER: parking_lot::Mutex<()> = parking_lot::const_mutex(());

/// How long a SQLite writer waits, for the lock of this process and then for SQLite's own.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Counts the write transactions this process committed, except the sign-in bookkeeping of
/// [`session_write_transaction`]: cached answers compare it to know whether what they hold may have
/// changed (see [`crate::read_cache`]).
static DATA_VERSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The current data version (see [`DATA_VERSION`]).
pub fn data_version() -> u64 {
    DATA_VERSION.load(std::sync::atomic::Ordering::SeqCst)
}

/// Marks that data shown to users may have changed: every cached answer is dropped. Called by
/// [`write_transaction`]; writes made outside one that change what a cached read shows call it
/// themselves.
pub fn data_changed() {
    DATA_VERSION.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// [`write_transaction`] for what no cached read shows (sessions, refresh tokens, Expertpass and
/// Signexpert challenges, device and certificate use, security events, sign-in failure counters,
/// rate limits, password links and their emails): it leaves the cached answers in place, so that
/// sign-ins, refreshes and recoveries, the busiest writes and some open to anyone, do not empty
/// the cache for everyone.
pub fn session_write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_for_writes(conn, work)
}

/// A transaction that will write. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write
/// lock up front: a deferred transaction that reads and then writes fails with "database is
/// locked" when another writer got in between, instead of waiting for `busy_timeout`. Nested
/// calls become savepoints, as with `Connection::transaction`.
///
/// Any cached answer is dropped once it commits (see [`data_changed`]); sign-in bookkeeping uses
/// [`session_write_transaction`] instead.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let outcome = transaction_for_writes(conn, work);
    if outcome.is_ok() {
        data_changed();
    }
    outcome
}

fn transaction_for_writes<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost_sqlite = match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::transaction_manager_status_mut(inner)
                .transaction_depth()?
                .is_none()
        }
        DbConnection::Pg(_) => false,
    };
    if !outermost_sqlite {
        return conn.transaction(work);
    }
    // Writers queue on an in-process lock before asking SQLite for its own: a writer that finds
    // the database locked is put to sleep by SQLite's busy handler for 1, 2, 5 … 100 ms and
    // retries, so under contention most of a write's time was spent asleep (refresh p99 ~480 ms).
    // Other processes on the same file still wait on `busy_timeout` as before.
    // Bounded like SQLite's own wait: writers queued behind one stuck on another process's lock
    // (an import) give up with "database is locked" (a 503) instead of queueing without end.
    let Some(_writer) = SQLITE_WRITER.try_lock_for(SQLITE_BUSY_TIMEOUT) else {
        return Err(E::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("database is locked (writers of this process queued too long)".to_owned()),
        )));
    };
    if let DbConnection::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let outcome = work(conn);
    if let DbConnection::Sqlite(inner) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(inner)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(inner)?,
        }
    }
    outcome
}

/// A row that serialises the writers of what hangs off it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockTarget {
    /// A firm: its payments (what is still payable is read, then reserved).
    Firm,
    /// A bureau: the declarations of its persons and its fixed part.
    Bureau,
    /// A payment: its confirmation.
    Payment,
}

/// Locks a row until the end of the current transaction. PostgreSQL takes a row lock
/// (`SELECT … FOR UPDATE`); on SQLite, [`write_transaction`]'s `BEGIN IMMEDIATE` already holds
/// the database's single write lock, so there is nothing more to take.
pub fn lock_for_update(conn: &mut DbConnection, target: LockTarget, id: &str) -> QueryResult<()> {
    use diesel::{sql_types::Text, RunQueryDsl};
    let table = match target {
        LockTarget::Firm => "firms",
        LockTarget::Bureau => "bureaux",
        LockTarget::Payment => "payments",
    };
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind::<Text, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

/// A new random id (time-ordered, so ids sort by creation).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Cents as stored (INTEGER); amounts beyond it are refused before they get here.
pub fn cents_column(cents: i64) -> QueryResult<i32> {
    i32::try_from(cents).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}
