//! Answers of the signed-in reads that front ends repeat on every screen (the profile, the regional
//! dashboard), kept per account for [`TTL`]:
//! - a write this process commits makes only the answers it may change be worked out again: the
//!   routes that write call [`ReadCache::account_changed`] (the account's own profile) or
//!   [`ReadCache::region_changed`] (every account's dashboard of that region, the only scope a
//!   write of declarations, payments, persons, managers or the email choice has) once their
//!   transaction has committed, so that someone who changes a profile, declares or pays sees the
//!   change on the next read, and other accounts keep theirs;
//! - a write made by another instance (or by an import) shows within [`TTL`], the same bound as
//!   a session revoked elsewhere (see [`crate::auth::access_cache`]).
//!
//! An answer's key carries the sequence numbers of the last writes that concerned its account and
//! its region, read before the answer is worked out: a write racing with the read leaves the
//! answer under a key nobody asks for any more, where it expires. The answers are bounded by
//! bytes; when full, the least used go one by one, never all at once.
//!
//! Only successful answers are kept: an error is worked out again each time.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use actix_web::{http::header::ContentType, web::Bytes, HttpResponse};
use moka::notification::RemovalCause;
use serde::Serialize;

use crate::error::ApiError;

/// How long an answer is reused when nothing that concerns it was written in this process.
pub const TTL: Duration = Duration::from_secs(2);
/// Bytes of answers and their keys kept at most.
const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Views with a longer name (a page cursor no front end would send) are worked out every time.
const MAX_VIEW_LEN: usize = 200;
/// Accounts and regions whose last write is remembered at most, and for how long: far longer
/// than an answer lives, so that forgetting one never brings an older answer back.
const MAX_SCOPES: u64 = 100_000;
const SCOPE_TTL: Duration = Duration::from_secs(60);

/// What a write concerns.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Scope {
    Account(String),
    Region(String),
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct AnswerKey {
    account_id: String,
    view: String,
    /// Sequence numbers of the last writes to the account and to the region (0 for no region).
    written: (u64, u64),
}

impl AnswerKey {
    fn weight(&self, body: &Bytes) -> u32 {
        let size = self.account_id.len() + self.view.len() + 16 + body.len();
        u32::try_from(size).unwrap_or(u32::MAX)
    }
}

/// A load's error, handed to the one request that ran it; the others waiting on the same load
/// work their own answer out (as they would have without the cache).
struct LoadFailed(Mutex<Option<ApiError>>);

/// See the module documentation.
pub struct ReadCache {
    /// Concurrent misses of one key wait for a single load (`try_get_with`): when a kept answer
    /// expires under load, one request works it out again instead of all querying the database at
    /// once (that stampede showed as a p99 of 120 ms on the dashboard every two seconds).
    answers: moka::future::Cache<AnswerKey, Bytes>,
    /// Scope → sequence number of the last write that concerned it.
    written: moka::sync::Cache<Scope, u64>,
    sequence: AtomicU64,
    /// What a scope no longer remembered counts as: at least the last write forgotten because
    /// [`MAX_SCOPES`] was reached, so that an answer read before it is not found again.
    forgotten: Arc<AtomicU64>,
}

impl Default for ReadCache {
    fn default() -> Self {
        Self::with_capacity(MAX_BYTES)
    }
}

impl ReadCache {
    fn with_capacity(bytes: u64) -> Self {
        let forgotten = Arc::new(AtomicU64::new(0));
        let floor = forgotten.clone();
        Self {
            answers: moka::future::Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &AnswerKey, body: &Bytes| key.weight(body))
                .time_to_live(TTL)
                .build(),
            written: moka::sync::Cache::builder()
                .max_capacity(MAX_SCOPES)
                .time_to_live(SCOPE_TTL)
                .eviction_listener(move |_, sequence, cause| {
                    if cause == RemovalCause::Size {
                        floor.fetch_max(sequence, Ordering::SeqCst);
                    }
                })
                .build(),
            sequence: AtomicU64::new(0),
            forgotten,
        }
    }

    /// The account's own answers (its profile) may have changed: call once the write committed.
    pub fn account_changed(&self, account_id: &str) {
        self.changed(Scope::Account(account_id.to_owned()));
    }

    /// Every account's answers about this region (its dashboard) may have changed: call once the
    /// write committed.
    pub fn region_changed(&self, region_code: &str) {
        self.changed(Scope::Region(region_code.to_owned()));
    }

    fn changed(&self, scope: Scope) {
        let sequence = self.sequence.fetch_add(1, Ordering::SeqCst) + 1;
        self.written.insert(scope, sequence);
    }

    fn last_write(&self, scope: &Scope) -> u64 {
        self.written
            .get(scope)
            .unwrap_or_else(|| self.forgotten.load(Ordering::SeqCst))
    }

    fn key(&self, account_id: &str, region_code: Option<&str>, view: String) -> AnswerKey {
        let account = self.last_write(&Scope::Account(account_id.to_owned()));
        let region = region_code.map_or(0, |code| self.last_write(&Scope::Region(code.to_owned())));
        AnswerKey {
            account_id: account_id.to_owned(),
            view,
            written: (account, region),
        }
    }

    /// A 200 JSON answer of `view` for this account: the kept one, or `load`'s, which is then
    /// kept. `region_code` names the region the answer shows, if any.
    pub async fn json<T, F, Fut>(
        &self,
        account_id: &str,
        region_code: Option<&str>,
        view: String,
        load: F,
    ) -> Result<HttpResponse, ApiError>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        if view.len() > MAX_VIEW_LEN {
            return load()
                .await
                .and_then(|value| to_json(&value))
                .map(json_response);
        }
        let key = self.key(account_id, region_code, view);
        let mut load = Some(load);
        let kept = self
            .answers
            .try_get_with(key, async {
                let Some(load) = load.take() else {
                    return Err(LoadFailed(Mutex::new(None)));
                };
                load()
                    .await
                    .and_then(|value| to_json(&value))
                    .map_err(|e| LoadFailed(Mutex::new(Some(e))))
            })
            .await;
        match kept {
            Ok(body) => Ok(json_response(body)),
            Err(failed) => {
                if let Some(error) = failed.0.lock().ok().and_then(|mut e| e.take()) {
                    return Err(error);
                }
                // Another request's load failed and it took the error: work this one out.
                match load.take() {
                    Some(load) => load()
                        .await
                        .and_then(|value| to_json(&value))
                        .map(json_response),
                    None => Err(ApiError::internal("an answer's load failed twice")),
                }
            }
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(ApiError::internal)
}

fn json_response(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::json())
        .body(body)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    async fn read(
        cache: &ReadCache,
        account: &str,
        region: Option<&str>,
        view: &str,
        loads: &AtomicUsize,
    ) -> usize {
        let answer = cache
            .json(account, region, view.to_owned(), || async {
                Ok::<_, ApiError>(loads.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await;
        assert!(answer.as_ref().is_ok_and(|r| r.status() == 200));
        loads.load(Ordering::SeqCst)
    }

    #[actix_web::test]
    async fn an_answer_is_served_for_its_account_and_view_only() {
        let cache = ReadCache::default();
        let loads = AtomicUsize::new(0);
        assert_eq!(read(&cache, "a1", None, "me", &loads).await, 1);
        assert_eq!(read(&cache, "a1", None, "me", &loads).await, 1);
        assert_eq!(read(&cache, "a1", None, "other", &loads).await, 2);
        assert_eq!(read(&cache, "a2", None, "me", &loads).await, 3);
    }

    #[actix_web::test]
    async fn a_write_drops_only_the_answers_it_concerns() {
        let cache = ReadCache::default();
        let loads = AtomicUsize::new(0);
        read(&cache, "a1", None, "me", &loads).await;
        read(&cache, "a2", None, "me", &loads).await;
        read(&cache, "a1", Some("R1"), "bureaux/R1", &loads).await;
        read(&cache, "a2", Some("R1"), "bureaux/R1", &loads).await;
        read(&cache, "a2", Some("R2"), "bureaux/R2", &loads).await;
        assert_eq!(loads.load(Ordering::SeqCst), 5);

        cache.account_changed("a1");
        assert_eq!(read(&cache, "a1", None, "me", &loads).await, 6);
        // a2's profile is still the kept one.
        assert_eq!(read(&cache, "a2", None, "me", &loads).await, 6);

        cache.region_changed("R1");
        assert_eq!(
            read(&cache, "a1", Some("R1"), "bureaux/R1", &loads).await,
            7
        );
        assert_eq!(
            read(&cache, "a2", Some("R1"), "bureaux/R1", &loads).await,
            8
        );
        // Another region's dashboard and the profiles are still the kept ones.
        assert_eq!(
            read(&cache, "a2", Some("R2"), "bureaux/R2", &loads).await,
            8
        );
        assert_eq!(read(&cache, "a2", None, "me", &loads).await, 8);
    }

    #[actix_web::test]
    async fn a_write_racing_with_a_load_is_never_hidden() {
        let cache = ReadCache::default();
        let answer = cache
            .json("a1", None, "me".to_owned(), || async {
                // The profile is read, then changed before the answer is kept.
                cache.account_changed("a1");
                Ok::<_, ApiError>("before")
            })
            .await;
        assert!(answer.is_ok());
        let loads = AtomicUsize::new(0);
        assert_eq!(read(&cache, "a1", None, "me", &loads).await, 1);
    }

    #[actix_web::test]
    async fn concurrent_misses_work_the_answer_out_once() {
        let cache = ReadCache::default();
        let loads = AtomicUsize::new(0);
        let load = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok::<_, ApiError>(serde_json::json!({"n": 1}))
        };
        let answers = futures_util::future::join_all(
            (0..8).map(|_| cache.json("a1", None, "me".to_owned(), load)),
        )
        .await;
        assert!(answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|r| r.status() == 200)));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[actix_web::test]
    async fn a_failed_load_is_not_kept_and_each_waiter_gets_an_answer() {
        let cache = ReadCache::default();
        let loads = AtomicUsize::new(0);
        let load = || async {
            let n = loads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            if n == 0 {
                Err(ApiError::not_found())
            } else {
                Ok(serde_json::json!({}))
            }
        };
        let answers = futures_util::future::join_all(
            (0..4).map(|_| cache.json("a1", None, "me".to_owned(), load)),
        )
        .await;
        assert_eq!(answers.iter().filter(|a| a.is_err()).count(), 1);
        assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 3);
    }

    #[actix_web::test]
    async fn an_abandoned_load_blocks_nobody_and_long_views_are_not_kept() {
        let cache = ReadCache::default();
        let pending = cache.json("a1", None, "me".to_owned(), || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, ApiError>(serde_json::json!({}))
        });
        // The request goes away in the middle of its load.
        assert!(tokio::time::timeout(Duration::from_millis(10), pending)
            .await
            .is_err());
        let loads = AtomicUsize::new(0);
        let next = tokio::time::timeout(
            Duration::from_secs(1),
            read(&cache, "a1", None, "me", &loads),
        )
        .await;
        assert_eq!(next.ok(), Some(1));

        let long = "x".repeat(MAX_VIEW_LEN + 1);
        assert_eq!(read(&cache, "a1", None, &long, &loads).await, 2);
        assert_eq!(read(&cache, "a1", None, &long, &loads).await, 3);
        cache.answers.run_pending_tasks().await;
        assert_eq!(cache.answers.entry_count(), 1);
    }

    #[actix_web::test]
    async fn a_full_cache_evicts_by_size_and_keeps_what_is_used() {
        let capacity = 64 * 1024;
        let cache = ReadCache::with_capacity(capacity);
        let loads = AtomicUsize::new(0);
        let big = "x".repeat(capacity as usize / 16);
        let fill = |n: usize| {
            let big = big.clone();
            let cache = &cache;
            async move {
                cache
                    .json(&format!("a{n}"), None, "me".to_owned(), || async {
                        Ok::<_, ApiError>(big)
                    })
                    .await
            }
        };
        read(&cache, "hot", None, "me", &loads).await;
        for n in 0..14 {
            assert!(fill(n).await.is_ok());
        }
        cache.answers.run_pending_tasks().await;
        for _ in 0..20 {
            read(&cache, "hot", None, "me", &loads).await;
        }
        cache.answers.run_pending_tasks().await;
        for n in 14..100 {
            assert!(fill(n).await.is_ok());
        }
        cache.answers.run_pending_tasks().await;
        assert!(cache.answers.weighted_size() <= capacity);
        assert!(cache.answers.entry_count() > 1, "never emptied wholesale");
        // The answer read on every request is still the kept one.
        assert_eq!(read(&cache, "hot", None, "me", &loads).await, 1);
    }

    #[test]
    fn forgetting_a_write_never_brings_an_older_answer_back() {
        let cache = ReadCache::default();
        cache.account_changed("a1");
        let before = cache.last_write(&Scope::Account("a1".into()));
        // As the eviction listener does when MAX_SCOPES is reached.
        cache.forgotten.fetch_max(before, Ordering::SeqCst);
        cache.written.invalidate(&Scope::Account("a1".into()));
        assert!(cache.last_write(&Scope::Account("a1".into())) >= before);
    }
}
