//! Database access: one diesel code path over SQLite or PostgreSQL, chosen at run time from the URL.
//!
//! Nothing here knows HTTP. Model functions take `&mut DbConnection` so that a caller can run several
//! of them inside one transaction.

pub mod schema;

pub mod accounts;
pub mod attachments;
pub mod authorization_codes;
pub mod bulk;
pub mod cas;
pub mod council;
pub mod credentials;
pub mod declarations;
pub mod email_verifications;
pub mod expertpass_challenges;
pub mod expertpass_devices;
pub mod idempotency;
pub mod ledger;
pub mod login_requests;
pub mod login_throttles;
pub mod notify;
pub mod oauth_clients;
pub mod oidc;
pub mod outbox;
pub mod password_tokens;
pub mod payments;
pub mod portal;
pub mod rate_limits;
pub mod recovery_requests;
pub mod reference;
pub mod registry;
pub mod retention;
pub mod scales;
pub mod security_events;
pub mod sessions;
pub mod signexpert_certificates;
pub mod signexpert_challenges;
pub mod staff;
pub mod versions;

#[cfg(test)]
mod state_columns_tests;

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
                // Per connection: wait for a writer instead of failing, enforce foreign keys, and the
                // log's bounds (see WAL_AUTOCHECKPOINT_PAGES). `synchronous = NORMAL` for sign-in
                // bookkeeping; the writes that must survive a power loss raise it to FULL for
                // their commit (see Durability).
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA wal_autocheckpoint = {}; PRAGMA journal_size_limit = {};",
                    SQLITE_BUSY_TIMEOUT.as_millis(),
                    WAL_AUTOCHECKPOINT_PAGES,
                    WAL_SIZE_LIMIT_BYTES
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

/// How long a connection is waited for by default (`DB_CHECKOUT_TIMEOUT_MS`): a request that
/// cannot have one by then answers 503 with `Retry-After`. Ten seconds (r2d2's own wait before)
/// made every request of a database outage hang that long, `/ready` included.
pub const DEFAULT_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(1);

/// Builds the pool with the default checkout timeout (commands, tests).
pub fn build_pool(url: &str) -> Result<Pool, String> {
    build_pool_with(url, DEFAULT_CHECKOUT_TIMEOUT)
}

/// Builds the pool. For SQLite, creates the parent folder and switches the file to WAL once,
/// before the pool exists (doing it per connection makes concurrent starts fail with "locked").
pub fn build_pool_with(url: &str, checkout_timeout: Duration) -> Result<Pool, String> {
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
        .connection_timeout(checkout_timeout)
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
    let applied: Vec<String> = applied.iter().map(ToString::to_string).collect();
    if applied
        .iter()
        .any(|version| version.replace('-', "") == NAME_WORDS_MIGRATION)
    {
        bulk::backfill_name_words(conn).map_err(|e| e.to_string())?;
    }
    Ok(applied)
}

/// The migration that added the name pre-fill's word keys, which existing members need filled.
const NAME_WORDS_MIGRATION: &str = "20261127000010";

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

/// The connection that runs a service's SQLite write transactions (see [`SqliteWriter::enter`]).
///
/// Why one connection: SQLite empties a connection's page cache whenever another connection has
/// written since its last transaction. Writes are serialised anyway, so with the pool's
/// connections taking turns every write transaction started cold and read each b-tree page it
/// touched back from the file, all while holding the write lock; the writer's own commits leave
/// its cache valid, so the pages it needs are usually in memory (refresh on SQLite +40 %).
pub struct SqliteWriter {
    manager: ConnectionManager,
    /// Opened on first use, replaced if a failure left it broken or inside a transaction.
    conn: parking_lot::Mutex<Option<DbConnection>>,
}

thread_local! {
    /// The writer that [`write_transaction`] uses on this thread, while [`SqliteWriter::enter`]'s
    /// guard lives.
    static ACTIVE_WRITER: std::cell::RefCell<Option<std::sync::Arc<SqliteWriter>>> =
        const { std::cell::RefCell::new(None) };
}

/// While it lives, the outermost write transactions of its thread run on the writer's connection.
/// Not `Send`: it must end on the thread it began on.
pub struct WriterScope {
    previous: Option<std::sync::Arc<SqliteWriter>>,
    _this_thread: std::marker::PhantomData<*const ()>,
}

impl Drop for WriterScope {
    fn drop(&mut self) {
        let previous = self.previous.take();
        ACTIVE_WRITER.with(|w| *w.borrow_mut() = previous);
    }
}

impl SqliteWriter {
    /// The writer of a SQLite URL; `None` for PostgreSQL, whose writers run side by side.
    pub fn for_url(url: &str) -> Option<std::sync::Arc<Self>> {
        let kind = BackendKind::of(url);
        (kind == BackendKind::Sqlite).then(|| {
            std::sync::Arc::new(Self {
                manager: ConnectionManager {
                    url: url.to_owned(),
                    kind,
                },
                conn: parking_lot::Mutex::new(None),
            })
        })
    }

    /// Makes this writer the one of the current thread until the guard drops. The work run in the
    /// scope must use connections of the same database (a pool built from the same URL).
    pub fn enter(self: &std::sync::Arc<Self>) -> WriterScope {
        WriterScope {
            previous: ACTIVE_WRITER.with(|w| w.borrow_mut().replace(self.clone())),
            _this_thread: std::marker::PhantomData,
        }
    }

    /// Runs `run` on the writer's connection, (re)opening it when needed. Called with
    /// [`SQLITE_WRITER`] held, so the inner lock is never contended.
    fn with_connection<T, E>(
        &self,
        run: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        let mut slot = self.conn.lock();
        // Taken out while it works: if `run` panics, the connection is dropped, which closes it and
        // rolls its transaction back, instead of staying in the slot holding SQLite's write lock.
        let kept = slot.take().and_then(|mut conn| {
            let usable = match &mut conn {
                DbConnection::Sqlite(inner) => {
                    !diesel::r2d2::R2D2Connection::is_broken(inner)
                        && matches!(
                            AnsiTransactionManager::transaction_manager_status_mut(inner)
                                .transaction_depth(),
                            Ok(None)
                        )
                }
                DbConnection::Pg(_) => false,
            };
            usable.then_some(conn)
        });
        let mut conn = match kept {
            Some(conn) => conn,
            None => self.manager.connect().map_err(|e| {
                // Like a pool that cannot connect: a 503 (see `crate::error`).
                E::from(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UnableToSendCommand,
                    Box::new(e.to_string()),
                ))
            })?,
        };
        let outcome = run(&mut conn);
        *slot = Some(conn);
        outcome
    }
}

/// SQLite copies its write-ahead log back into the database file (a checkpoint) when a commit
/// leaves the log this long (pages). By default (1,000) that happened every ~150 refreshes, in the
/// committing writer, with every other writer waiting; [`checkpoint_wal`] now does most of that
/// work in the background and this is the backstop if it falls behind (about 80 MiB of log).
const WAL_AUTOCHECKPOINT_PAGES: u32 = 20_000;

/// Past this many pages of log, [`checkpoint_wal`] finishes under the writers' lock so that the
/// next writer can start the log over from its beginning (about 16 MiB of log).
const WAL_RESTART_PAGES: i32 = 4_000;

/// The log file is cut back to this size when it starts over (it otherwise keeps the size of its
/// longest run, an import's for instance).
const WAL_SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// One checkpoint pass of a SQLite database (nothing on PostgreSQL), run every 100 ms by the
/// service. It copies the log into the file outside the writers' lock, while they go on appending
/// (SQLite allows that). Once the log has grown past [`WAL_RESTART_PAGES`] (under a steady write
/// load, at most ticks) it takes the lock for a second pass that copies the pages appended
/// meanwhile: the writers wait for that short copy and its two syncs only, instead of for every
/// checkpoint, and the next writer rewinds the log unless a reader is still on it (then a later
/// pass tries again, and [`WAL_AUTOCHECKPOINT_PAGES`] bounds the log). Returns the pages of log it
/// found.
pub fn checkpoint_wal(conn: &mut DbConnection) -> QueryResult<i32> {
    checkpoint_wal_past(conn, WAL_RESTART_PAGES)
}

fn checkpoint_wal_past(conn: &mut DbConnection, restart_pages: i32) -> QueryResult<i32> {
    #[derive(diesel::QueryableByName)]
    struct Checkpoint {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        log: i32,
    }
    let DbConnection::Sqlite(inner) = conn else {
        return Ok(0);
    };
    let pass = |inner: &mut SqliteConnection| {
        use diesel::RunQueryDsl;
        diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
            .get_result::<Checkpoint>(inner)
            .map(|c| c.log)
    };
    let log = pass(inner)?;
    if log >= restart_pages {
        if let Some(_writer) = SQLITE_WRITER.try_lock_for(SQLITE_BUSY_TIMEOUT) {
            pass(inner)?;
        }
    }
    Ok(log)
}

/// How long a SQLite writer waits, for the lock of this process and then for SQLite's own.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Marks that data shown to users may have changed, without saying which: no cached answer is
/// reused (see [`versions`]). Called by [`write_transaction`]; writes made outside one that change
/// what a cached read shows call it themselves.
pub fn data_changed() {
    versions::everything_changed();
}

/// [`write_transaction`] for what no cached read shows (sessions, refresh tokens, Expertpass and
/// Signexpert challenges, device and certificate use, security events, sign-in failure counters,
/// rate limits, password links and their emails): it leaves the cached answers in place, so that
/// sign-ins, refreshes and recoveries, the busiest writes and some open to anyone, do not empty
/// the cache for everyone.
///
/// On SQLite its commit does not wait for the disk ([`Durability::Process`]): a crash of the
/// process loses nothing, a power loss may lose the last sign-ins and refreshes (their users sign
/// in again). Refreshes are the busiest writes; waiting for the disk at each cost them a fifth to
/// a half of their rate on the benchmark machine (1,238–1,849/s against 2,295/s per core).
pub fn session_write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_for_writes(conn, Durability::Process, work)
}

/// [`session_write_transaction`] for a write answered as a promise that outlives a power loss
/// on SQLite too ([`Durability::PowerLoss`]): a recovery request acknowledged with a 202 and the
/// email it queues. Rare writes, so waiting for the disk costs nothing that shows.
pub fn durable_session_write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_for_writes(conn, Durability::PowerLoss, work)
}

/// What a committed SQLite write survives. PostgreSQL commits to the disk either way (its
/// defaults, `synchronous_commit = on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// A crash of the process, not a power loss: WAL with `synchronous = NORMAL`.
    Process,
    /// A power loss too: `synchronous = FULL` for the commit, which waits for the write-ahead
    /// log to reach the disk. Money, credentials, registrations, declarations.
    PowerLoss,
}

/// A transaction that will write. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write
/// lock up front: a deferred transaction that reads and then writes fails with "database is
/// locked" when another writer got in between, instead of waiting for `busy_timeout`. Nested
/// calls become savepoints, as with `Connection::transaction`.
///
/// Any cached answer is dropped once it commits (see [`data_changed`]): a write that can say
/// what it changes uses [`scoped_write_transaction`], sign-in bookkeeping
/// [`session_write_transaction`].
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let outcome = transaction_for_writes(conn, Durability::PowerLoss, |conn| {
        let done = work(conn)?;
        // Other instances hear it when (and only if) this commits.
        if let DbConnection::Pg(pg) = conn {
            notify::send_everything(pg)?;
        }
        Ok(done)
    });
    if outcome.is_ok() {
        data_changed();
    }
    outcome
}

/// [`write_transaction`] for a write that tells what it changes as it goes (an account, a
/// region): once it commits, only the cached answers read from those parts are dropped.
pub fn scoped_write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection, &mut versions::Touched) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let mut touched = versions::Touched::default();
    let outcome = transaction_for_writes(conn, Durability::PowerLoss, |conn| {
        let done = work(conn, &mut touched)?;
        if let DbConnection::Pg(pg) = conn {
            notify::send_touched(pg, &touched)?;
        }
        Ok(done)
    });
    if outcome.is_ok() {
        touched.publish();
    }
    outcome
}

fn transaction_for_writes<T, E, F>(
    conn: &mut DbConnection,
    durability: Durability,
    work: F,
) -> Result<T, E>
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
    let waiting = crate::measures::Queued::enter(crate::measures::SQLITE_WRITERS_WAITING);
    let writer = SQLITE_WRITER.try_lock_for(SQLITE_BUSY_TIMEOUT);
    drop(waiting);
    let Some(_writer) = writer else {
        return Err(E::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("database is locked (writers of this process queued too long)".to_owned()),
        )));
    };
    match ACTIVE_WRITER.with(|w| w.borrow().clone()) {
        Some(writer) => {
            writer.with_connection(|dedicated| immediate_transaction(dedicated, durability, work))
        }
        None => immediate_transaction(conn, durability, work),
    }
}

/// `BEGIN IMMEDIATE` … `COMMIT` (or `ROLLBACK` when `work` fails) on a SQLite connection.
fn immediate_transaction<T, E, F>(
    conn: &mut DbConnection,
    durability: Durability,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let full = durability == Durability::PowerLoss;
    if full {
        // Set outside the transaction (SQLite reads it at the commit), back to NORMAL after.
        conn.batch_execute("PRAGMA synchronous = FULL")?;
    }
    let outcome = immediate_transaction_at(conn, work);
    if full {
        if let Err(error) = conn.batch_execute("PRAGMA synchronous = NORMAL") {
            tracing::warn!(%error, "cannot set synchronous back to NORMAL");
        }
    }
    outcome
}

fn immediate_transaction_at<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConnection::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let outcome = work(conn);
    if let DbConnection::Sqlite(inner) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(inner)?,
            Err(_) => {
                // Some errors (a full disk, an I/O error) make SQLite roll the transaction back
                // itself, and the ROLLBACK then fails with "no transaction is active": the work's
                // own error is the one to answer with (a full disk is a 503, not that 500).
                if let Err(rollback) = AnsiTransactionManager::rollback_transaction(inner) {
                    tracing::warn!(error = %rollback, "rollback after a failed write");
                }
            }
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
    /// An account: the emails its registrations send (one per window).
    Account,
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
        LockTarget::Account => "accounts",
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

/// `SUM` of a column of cents (`BIGINT`), as a `BIGINT` on both backends: SQLite sums integers
/// into an integer (an error, never a wrapped value, past `i64`), PostgreSQL into a `NUMERIC`,
/// which is cast back (an error past `i64` too). `NULL` over no rows, as `SUM` is. Diesel's own
/// `sum` types a `BIGINT` sum as `NUMERIC`, which this crate does not read.
pub fn sum_cents<E>(cents: E) -> SumCents<E>
where
    E: diesel::Expression<SqlType = diesel::sql_types::BigInt>,
{
    SumCents(cents)
}

/// The expression of [`sum_cents`]: `CAST(SUM(cents) AS BIGINT)`, an aggregate.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct SumCents<E>(E);

impl<E> diesel::Expression for SumCents<E>
where
    E: diesel::Expression<SqlType = diesel::sql_types::BigInt>,
{
    type SqlType = diesel::sql_types::Nullable<diesel::sql_types::BigInt>;
}

impl<E, DB> diesel::query_builder::QueryFragment<DB> for SumCents<E>
where
    DB: diesel::backend::Backend,
    E: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("CAST(SUM(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS BIGINT)");
        Ok(())
    }
}

impl<E, GB> diesel::expression::ValidGrouping<GB> for SumCents<E> {
    type IsAggregate = diesel::expression::is_aggregate::Yes;
}

impl<E, QS> diesel::AppearsOnTable<QS> for SumCents<E>
where
    E: diesel::AppearsOnTable<QS>,
    Self: diesel::Expression,
{
}

impl<E, QS> diesel::SelectableExpression<QS> for SumCents<E>
where
    E: diesel::SelectableExpression<QS>,
    Self: diesel::AppearsOnTable<QS>,
{
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::RunQueryDsl;

    fn sqlite_url(dir: &tempfile::TempDir) -> String {
        format!("sqlite://{}", dir.path().join("writer.db").display())
    }

    fn create_table(pool: &Pool) {
        let mut conn = pool.get().expect("connection");
        conn.batch_execute("CREATE TABLE notes (body TEXT NOT NULL)")
            .expect("table");
    }

    fn count_rows(conn: &mut DbConnection, table: &str) -> QueryResult<i64> {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(conn)
            .map(|count| count.n)
    }

    fn count_notes(conn: &mut DbConnection) -> i64 {
        count_rows(conn, "notes").expect("count")
    }

    fn add_note(conn: &mut DbConnection) -> QueryResult<usize> {
        diesel::sql_query("INSERT INTO notes (body) VALUES ('une note')").execute(conn)
    }

    #[test]
    fn money_and_credential_writes_wait_for_the_disk_and_sign_in_bookkeeping_does_not() {
        #[derive(diesel::QueryableByName)]
        struct Synchronous {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            synchronous: i32,
        }
        fn level(conn: &mut DbConnection) -> QueryResult<i32> {
            diesel::sql_query("PRAGMA synchronous")
                .get_result::<Synchronous>(conn)
                .map(|s| s.synchronous)
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let pool = build_pool(&sqlite_url(&dir)).expect("pool");
        let mut conn = pool.get().expect("connection");
        // FULL (2) while a write that must survive a power loss commits, NORMAL (1) otherwise.
        assert_eq!(write_transaction(&mut conn, level).expect("write"), 2);
        assert_eq!(
            scoped_write_transaction(&mut conn, |conn, _| level(conn)).expect("write"),
            2
        );
        assert_eq!(
            durable_session_write_transaction(&mut conn, level).expect("write"),
            2
        );
        assert_eq!(
            session_write_transaction(&mut conn, level).expect("write"),
            1
        );
        assert_eq!(level(&mut conn).expect("after"), 1, "back to NORMAL");
        // Also after a write that failed.
        let failed: QueryResult<()> = write_transaction(&mut conn, |_| {
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        assert_eq!(level(&mut conn).expect("after"), 1);
    }

    #[test]
    fn a_full_sqlite_disk_rolls_the_write_back_and_answers_503_to_retry() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let pool = build_pool(&sqlite_url(&dir)).expect("pool");
        create_table(&pool);
        let mut conn = pool.get().expect("connection");
        // The file may not grow past its present pages: SQLite's own "disk full".
        conn.batch_execute("PRAGMA max_page_count = 1; PRAGMA max_page_count = 0;")
            .ok();
        let pages: i64 = {
            #[derive(diesel::QueryableByName)]
            struct Pages {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                page_count: i64,
            }
            diesel::sql_query("PRAGMA page_count")
                .get_result::<Pages>(&mut conn)
                .expect("page count")
                .page_count
        };
        conn.batch_execute(&format!("PRAGMA max_page_count = {pages}"))
            .expect("cap");
        let failed = write_transaction(&mut conn, |conn| {
            for _ in 0..200 {
                diesel::sql_query("INSERT INTO notes (body) VALUES (printf('%.4000c', 'x'))")
                    .execute(conn)?;
            }
            QueryResult::Ok(())
        })
        .expect_err("the disk is full");
        let answer = crate::error::ApiError::from(failed);
        assert_eq!(
            answer.status(),
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(count_notes(&mut conn), 0, "nothing half-written");
        // Space freed, the same connection writes again: it was not left inside a transaction.
        conn.batch_execute("PRAGMA max_page_count = 1073741823")
            .expect("uncap");
        write_transaction(&mut conn, add_note).expect("write after the disk is freed");
        assert_eq!(count_notes(&mut conn), 1);
    }

    #[test]
    fn a_pool_on_an_unreachable_database_gives_up_within_its_checkout_timeout() {
        // Nothing listens on port 1: every connection attempt is refused.
        let url = "postgres://postgres@127.0.0.1:1/nowhere?connect_timeout=1";
        let started = std::time::Instant::now();
        assert!(build_pool_with(url, Duration::from_millis(300)).is_err());
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn write_transactions_in_a_writer_scope_share_one_connection_and_others_see_them() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = sqlite_url(&dir);
        let pool = build_pool(&url).expect("pool");
        create_table(&pool);
        let writer = SqliteWriter::for_url(&url).expect("a SQLite URL has a writer");
        // A temporary table lives in one connection only: the second transaction finds the one
        // the first created only if both ran on the writer's connection.
        for _ in 0..2 {
            let _scope = writer.enter();
            let mut pooled = pool.get().expect("connection");
            write_transaction(&mut pooled, |conn| {
                conn.batch_execute("CREATE TEMP TABLE IF NOT EXISTS marks (n INTEGER)")?;
                diesel::sql_query("INSERT INTO marks (n) VALUES (1)").execute(conn)?;
                add_note(conn)
            })
            .expect("write");
        }
        {
            let _scope = writer.enter();
            let mut pooled = pool.get().expect("connection");
            let marks = write_transaction(&mut pooled, |conn| count_rows(conn, "marks"))
                .expect("read marks");
            assert_eq!(marks, 2);
        }
        // Outside the scope, writes use the connection they are given, and every connection sees
        // what the writer committed.
        let mut pooled = pool.get().expect("connection");
        write_transaction(&mut pooled, add_note).expect("write");
        assert_eq!(count_notes(&mut pooled), 3);
        assert!(pooled.batch_execute("SELECT n FROM marks").is_err());
    }

    #[test]
    fn a_failed_write_rolls_back_and_a_writer_left_inside_a_transaction_is_replaced() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = sqlite_url(&dir);
        let pool = build_pool(&url).expect("pool");
        create_table(&pool);
        let writer = SqliteWriter::for_url(&url).expect("writer");
        let _scope = writer.enter();
        let mut pooled = pool.get().expect("connection");
        let failed: QueryResult<()> = write_transaction(&mut pooled, |conn| {
            add_note(conn)?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        assert_eq!(count_notes(&mut pooled), 0);
        // Whatever left the connection inside a transaction, the next write gets a fresh one
        // (the open transaction would otherwise hold SQLite's write lock for ever).
        if let Some(DbConnection::Sqlite(inner)) = writer.conn.lock().as_mut() {
            use diesel::connection::{AnsiTransactionManager, TransactionManager};
            AnsiTransactionManager::begin_transaction(inner).expect("begin");
            add_note_sqlite(inner);
        }
        write_transaction(&mut pooled, add_note).expect("write after the stuck transaction");
        assert_eq!(count_notes(&mut pooled), 1);
    }

    #[test]
    fn a_panic_inside_a_write_leaves_the_database_writable() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = sqlite_url(&dir);
        let pool = build_pool(&url).expect("pool");
        create_table(&pool);
        let writer = SqliteWriter::for_url(&url).expect("writer");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _scope = writer.enter();
            let mut pooled = pool.get().expect("connection");
            let _: QueryResult<usize> = write_transaction(&mut pooled, |conn| {
                add_note(conn)?;
                panic!("a bug in the middle of a write");
            });
        }));
        assert!(panicked.is_err());
        // The half-done write was rolled back and SQLite's write lock released at once: a write
        // outside the writer (the mail dispatcher's, say) goes through without waiting.
        let mut pooled = pool.get().expect("connection");
        pooled
            .batch_execute("PRAGMA busy_timeout = 0")
            .expect("no waiting");
        diesel::sql_query("INSERT INTO notes (body) VALUES ('après')")
            .execute(&mut pooled)
            .expect("the database is not left locked");
        assert_eq!(count_notes(&mut pooled), 1);
    }

    fn add_note_sqlite(conn: &mut SqliteConnection) {
        diesel::sql_query("INSERT INTO notes (body) VALUES ('perdue')")
            .execute(conn)
            .expect("insert");
    }

    #[test]
    fn the_checkpoint_copies_the_log_so_that_the_next_writer_rewinds_it() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let pool = build_pool(&sqlite_url(&dir)).expect("pool");
        create_table(&pool);
        let mut conn = pool.get().expect("connection");
        let mut log_after_writes = || {
            for _ in 0..20 {
                write_transaction(&mut conn, add_note).expect("write");
            }
            checkpoint_wal_past(&mut conn, 10).expect("checkpoint")
        };
        let first = log_after_writes();
        assert!(first >= 20, "each commit appends to the log: {first}");
        // SQLite's own checkpoint would wait for 20,000 pages: without this one the log would
        // hold twice as many pages now. Copied whole, it is started over by the next writer.
        let second = log_after_writes();
        assert!(
            second < first + 10,
            "the log was rewound: {first} then {second}"
        );
        assert_eq!(count_notes(&mut conn), 40);
    }
}
