//! The state every handler shares: configuration, the database pool, signing keys.

use std::{sync::Arc, time::Duration};

use actix_web::web;

use crate::{
    auth::{keys::KeyRing, signexpert::TrustStore},
    config::Settings,
    db::{DbConnection, Pool, SqliteWriter},
    error::ApiError,
    payments::provider::Providers,
};

/// Runs database work on actix's blocking pool so that no diesel call stalls the executor.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// SQLite: the connection on which `run`'s work opens its write transactions
    /// (`db::write_transaction`, `db::session_write_transaction`; see [`SqliteWriter`]).
    writer: Option<Arc<SqliteWriter>>,
}

impl Db {
    /// Wraps a pool built from `url`.
    pub fn new(pool: Pool, url: &str) -> Self {
        Self {
            pool,
            writer: SqliteWriter::for_url(url),
        }
    }

    /// The pool itself (background workers, CLI commands).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Borrows a connection on a blocking thread and runs `work` with it. Without a connection
    /// within the pool's checkout timeout (`DB_CHECKOUT_TIMEOUT_MS`), a 503 with `Retry-After`.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run_waiting(None, work).await
    }

    /// [`Db::run`], waiting at most `checkout` for the connection (a probe that must answer
    /// quickly, such as `/ready`).
    pub async fn run_within<T, F>(&self, checkout: Duration, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run_waiting(Some(checkout), work).await
    }

    async fn run_waiting<T, F>(&self, checkout: Option<Duration>, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let writer = self.writer.clone();
        // The caller's span (its request) follows the work onto the blocking thread.
        let span = tracing::Span::current();
        web::block(move || {
            let _in_caller = span.enter();
            let _scope = writer.as_ref().map(|writer| writer.enter());
            let waiting = crate::measures::Queued::enter(crate::measures::DB_CHECKOUTS_WAITING);
            let checked_out = match checkout {
                Some(wait) => pool.get_timeout(wait),
                None => pool.get(),
            };
            drop(waiting);
            let mut conn = checked_out.inspect_err(|_| crate::measures::db_checkout_timeout())?;
            work(&mut conn)
        })
        .await?
    }
}

/// The time as the workflows see it: the system's, or an instant fixed by a test.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    fixed: Option<chrono::NaiveDateTime>,
}

impl Clock {
    /// A clock stopped at `at` (tests of rules that depend on the time).
    pub fn fixed(at: chrono::NaiveDateTime) -> Self {
        Self { fixed: Some(at) }
    }

    /// Now, to the second (as stored; see [`crate::db::now`]).
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.fixed.unwrap_or_else(crate::db::now)
    }
}

impl ApiContext {
    /// The ID-token keys of a serving instance.
    pub fn id_token_keys(&self) -> Result<&crate::oidc::keys::IdTokenKeys, ApiError> {
        self.id_token_keys
            .as_deref()
            .ok_or_else(|| ApiError::internal("no ID token key in an operator command"))
    }
}

/// What every handler can reach, behind `web::Data<ApiContext>`.
#[derive(Clone)]
pub struct ApiContext {
    /// The time the workflows go by.
    pub clock: Clock,
    /// Resolved configuration.
    pub settings: Arc<Settings>,
    /// The database.
    pub db: Db,
    /// Access-token signing and verifying keys, following the key file.
    pub keys: Arc<KeyRing>,
    /// The RSA keys of ID tokens; `None` in the operator commands, which sign nothing.
    pub id_token_keys: Option<Arc<crate::oidc::keys::IdTokenKeys>>,
    /// Recent answers of the name pre-fill.
    pub search_cache: Arc<crate::search_cache::SearchCache>,
    /// Verified tokens and live sessions, remembered briefly (see [`crate::auth::access_cache`]).
    pub access_cache: Arc<crate::auth::access_cache::AccessCache>,
    /// The profile and the regional dashboard, kept briefly per account (see [`crate::read_cache`]).
    pub read_cache: Arc<crate::read_cache::ReadCache>,
    /// Signexpert trust anchors and CRLs; `None` when `SIGNEXPERT_CA_FILE` is not set.
    pub signexpert: Option<Arc<TrustStore>>,
    /// Who carries payments: the bank feed for transfers, `PAYMENT_PROVIDER` for the rest.
    pub providers: Providers,
}
