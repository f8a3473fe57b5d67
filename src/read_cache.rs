//! Answers of the signed-in reads that front ends repeat on every screen (the profile, the regional
//! dashboard), kept per account for [`TTL`]:
//! - each answer names the parts of the data it is read from (the account, the region), and a
//!   write this process commits drops the answers read from what it changed, at once (see
//!   [`crate::db::versions`]): someone who changes a profile, declares or pays sees the change on
//!   the next read, and a declaration in one region leaves every other answer in place. A write
//!   that does not say what it changed drops them all; the sign-in bookkeeping of sessions,
//!   counters and rate limits drops none;
//! - a write made by another instance on PostgreSQL drops the same answers when its notification
//!   arrives ([`crate::db::notify`]); an import, or anything while notifications are down, shows
//!   within [`TTL`].
//!
//! Only successful answers are kept: an error is worked out again each time.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{http::header::ContentType, web::Bytes, HttpResponse};
use quick_cache::{sync::Cache, Equivalent, Weighter};
use serde::Serialize;

use crate::{
    db::versions::{Scope, Stamp},
    error::ApiError,
};

/// How long an answer is reused when nothing it is read from was written in this process meanwhile.
pub const TTL: Duration = Duration::from_secs(2);
/// Bytes of answers and their keys kept at most; past that the least used answers go first.
const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// The cache's guess of how many answers fit (a dashboard answer is a few kilobytes).
const ESTIMATED_ANSWERS: usize = 8_192;
/// Views with a longer name (a page cursor no front end would send) are worked out every time.
const MAX_VIEW_LEN: usize = 200;

/// An answer's key: the account, then the view (route and query).
type AnswerKey = (String, String);

/// The same key borrowed, so that a lookup allocates nothing. It hashes as [`AnswerKey`] does
/// (a tuple hashes its fields in turn, and `String` hashes as its `str`).
#[derive(Hash)]
struct BorrowedKey<'a>(&'a str, &'a str);

impl Equivalent<AnswerKey> for BorrowedKey<'_> {
    fn equivalent(&self, key: &AnswerKey) -> bool {
        self.0 == key.0 && self.1 == key.1
    }
}

#[derive(Clone)]
struct Answer {
    stored_at: Instant,
    /// The versions of what it was read from, when it was read.
    stamp: Stamp,
    body: Bytes,
}

/// An answer weighs its bytes and its key's.
#[derive(Clone)]
struct AnswerBytes;

impl Weighter<AnswerKey, Answer> for AnswerBytes {
    fn weight(&self, key: &AnswerKey, answer: &Answer) -> u64 {
        (key.0.len() + key.1.len() + answer.body.len()) as u64
    }
}

/// See the module documentation.
pub struct ReadCache {
    answers: Cache<AnswerKey, Answer, AnswerBytes>,
    /// One lock per answer being worked out: when a kept answer expires under load, one request
    /// works it out again and the others wait for it, instead of all querying the database at
    /// once (that stampede showed as a p99 of 120 ms on the dashboard every two seconds).
    loading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for ReadCache {
    fn default() -> Self {
        Self {
            answers: Cache::with_weighter(ESTIMATED_ANSWERS, MAX_BYTES, AnswerBytes),
            loading: Mutex::default(),
        }
    }
}

impl ReadCache {
    /// The kept answer of `view` for this account, if nothing it was read from was written since
    /// and it is recent.
    pub fn get(&self, account_id: &str, view: &str) -> Option<Bytes> {
        let body = self
            .answers
            .get(&BorrowedKey(account_id, view))
            .filter(|a| a.stored_at.elapsed() < TTL && a.stamp.holds())
            .map(|a| a.body);
        crate::measures::cache_lookup("answer", body.is_some());
        body
    }

    /// Keeps an answer worked out from data read at `stamp`, taken with `read_at` before the
    /// read: a write racing with the read is never hidden, and the answer's age counts from it.
    pub fn put(&self, account_id: &str, view: String, stamp: Stamp, read_at: Instant, body: Bytes) {
        if view.len() > MAX_VIEW_LEN {
            return;
        }
        let answer = Answer {
            stored_at: read_at,
            stamp,
            body,
        };
        self.answers.insert((account_id.to_owned(), view), answer);
    }

    /// A 200 JSON answer: the kept one, or `load`'s, which is then kept as read from `scopes`
    /// (besides the global version every answer depends on).
    pub async fn json<T, F, Fut>(
        &self,
        account_id: &str,
        view: String,
        scopes: &[Scope<'_>],
        load: F,
    ) -> Result<HttpResponse, ApiError>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        if let Some(body) = self.get(account_id, &view) {
            return Ok(json_response(body));
        }
        if view.len() > MAX_VIEW_LEN {
            return load()
                .await
                .and_then(|value| to_json(&value))
                .map(json_response);
        }
        let turn = LoadingTurn::take(self, format!("{account_id}\u{0}{view}"));
        let _waited = match &turn.lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        // Whoever held the lock before may have just kept a fresh answer.
        if let Some(body) = self.get(account_id, &view) {
            return Ok(json_response(body));
        }
        let (stamp, read_at) = (Stamp::now(scopes), Instant::now());
        let body = to_json(&load().await?)?;
        self.put(account_id, view, stamp, read_at, body.clone());
        Ok(json_response(body))
    }
}

/// A request's place in the queue of those working out one answer. Dropped (answered, failed, or
/// the request abandoned mid-way), it forgets the queue's lock once nobody else holds it.
struct LoadingTurn<'a> {
    cache: &'a ReadCache,
    key: String,
    lock: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl<'a> LoadingTurn<'a> {
    fn take(cache: &'a ReadCache, key: String) -> Self {
        let lock = cache.loading.lock().ok().map(|mut loading| {
            loading
                .entry(key.clone())
                .or_insert_with(Default::default)
                .clone()
        });
        Self { cache, key, lock }
    }
}

impl Drop for LoadingTurn<'_> {
    fn drop(&mut self) {
        if let (Some(lock), Ok(mut loading)) = (self.lock.take(), self.cache.loading.lock()) {
            // Only the map and this request hold it: nobody is waiting.
            if Arc::strong_count(&lock) <= 2 {
                loading.remove(&self.key);
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
    use super::*;

    use crate::db::versions;

    // Stamps blind to the global version: other tests of the crate move it as they write.
    #[test]
    fn an_answer_is_served_for_its_account_and_view_until_what_it_was_read_from_changes() {
        let cache = ReadCache::default();
        let scopes = [Scope::Account("rc-a1"), Scope::Region("rc-r1")];
        let keep = |view: &str| {
            cache.put(
                "rc-a1",
                view.into(),
                Stamp::of_scopes_only(&scopes),
                Instant::now(),
                Bytes::from_static(b"{}"),
            )
        };
        keep("me");
        assert_eq!(cache.get("rc-a1", "me"), Some(Bytes::from_static(b"{}")));
        assert_eq!(cache.get("rc-a1", "other"), None);
        assert_eq!(cache.get("rc-a2", "me"), None);

        versions::changed(Scope::Region("rc-r1"));
        assert_eq!(
            cache.get("rc-a1", "me"),
            None,
            "a write to its region is hidden"
        );
        keep("me");
        versions::changed(Scope::Account("rc-a1"));
        assert_eq!(
            cache.get("rc-a1", "me"),
            None,
            "a write to its account is hidden"
        );
    }

    #[test]
    fn a_write_without_scope_drops_what_was_kept() {
        let cache = ReadCache::default();
        cache.put(
            "rc-a3",
            "me".into(),
            Stamp::now(&[Scope::Account("rc-a3")]),
            Instant::now(),
            Bytes::from_static(b"{}"),
        );
        crate::db::data_changed();
        assert_eq!(cache.get("rc-a3", "me"), None);
    }

    #[actix_web::test]
    async fn concurrent_misses_work_the_answer_out_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cache = ReadCache::default();
        let loads = AtomicUsize::new(0);
        let load = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok::<_, ApiError>(serde_json::json!({"n": 1}))
        };
        let answers = futures_util::future::join_all(
            (0..8).map(|_| cache.json("a1", "me".to_owned(), &[], load)),
        )
        .await;
        assert!(answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|r| r.status() == 200)));
        // Each write another test commits meanwhile may add one load; never one per request.
        assert!(
            loads.load(Ordering::SeqCst) <= 3,
            "{} loads",
            loads.load(Ordering::SeqCst)
        );
        assert!(
            cache.loading.lock().map(|l| l.is_empty()).unwrap_or(false),
            "locks forgotten"
        );
    }

    #[actix_web::test]
    async fn an_abandoned_load_leaves_no_lock_and_long_views_are_not_kept() {
        let cache = ReadCache::default();
        let pending = cache.json("a1", "me".to_owned(), &[], || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, ApiError>(serde_json::json!({}))
        });
        // The request goes away in the middle of its load.
        assert!(tokio::time::timeout(Duration::from_millis(10), pending)
            .await
            .is_err());
        assert!(cache.loading.lock().map(|l| l.is_empty()).unwrap_or(false));

        let long = "x".repeat(MAX_VIEW_LEN + 1);
        let answer = cache
            .json("a1", long, &[], || async {
                Ok::<_, ApiError>(serde_json::json!({}))
            })
            .await;
        assert!(answer.is_ok_and(|r| r.status() == 200));
        assert!(cache.answers.is_empty());
    }

    #[test]
    fn the_cache_stays_within_its_byte_bound_and_keeps_answers_when_full() {
        let cache = ReadCache::default();
        let big = Bytes::from(vec![b' '; (MAX_BYTES / 40) as usize]);
        for n in 0..100 {
            cache.put(
                &format!("a{n}"),
                "me".into(),
                Stamp::of_scopes_only(&[]),
                Instant::now(),
                big.clone(),
            );
            assert!(
                cache.answers.weight() <= MAX_BYTES,
                "{} bytes held",
                cache.answers.weight()
            );
        }
        // Full, it evicts some answers instead of starting again empty.
        assert!(
            cache.answers.len() > 10,
            "{} answers kept",
            cache.answers.len()
        );
        let held = cache.answers.weight();
        cache.put(
            "a99",
            "me".into(),
            Stamp::of_scopes_only(&[]),
            Instant::now(),
            big.clone(),
        );
        assert_eq!(
            cache.answers.weight(),
            held,
            "a replaced answer is not counted twice"
        );
    }
}
