//! Answers of the name pre-fill, kept for [`TTL`]: the register changes only by import, and the
//! same first letters are typed again and again while people look themselves up.

use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use quick_cache::{sync::Cache, Weighter};

/// How long an answer is reused; a register import shows in the search at most this late.
pub const TTL: Duration = Duration::from_secs(60);
/// Bytes of answers and their keys kept at most; past that the least used answers go first.
const MAX_BYTES: u64 = 32 * 1024 * 1024;
/// The cache's guess of how many answers fit (a page of names is a few kilobytes).
const ESTIMATED_ANSWERS: usize = 10_000;

/// A query as the cache knows it: folded prefix, limit, cursor (empty for the first page).
pub type SearchKey = (String, u32, String);

/// An answer weighs its bytes and its key's.
#[derive(Clone)]
struct AnswerBytes;

impl Weighter<SearchKey, (Instant, Bytes)> for AnswerBytes {
    fn weight(&self, key: &SearchKey, (_, body): &(Instant, Bytes)) -> u64 {
        (key.0.len() + key.2.len() + 4 + body.len()) as u64
    }
}

/// Serialized answers by query.
pub struct SearchCache {
    answers: Cache<SearchKey, (Instant, Bytes), AnswerBytes>,
}

impl Default for SearchCache {
    fn default() -> Self {
        Self {
            answers: Cache::with_weighter(ESTIMATED_ANSWERS, MAX_BYTES, AnswerBytes),
        }
    }
}

impl SearchCache {
    /// A fresh answer for this query, if one is kept.
    pub fn get(&self, key: &SearchKey) -> Option<Bytes> {
        let body = self
            .answers
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, body)| body);
        crate::measures::cache_lookup("search", body.is_some());
        body
    }

    /// Keeps an answer.
    pub fn put(&self, key: SearchKey, body: Bytes) {
        self.answers.insert(key, (Instant::now(), body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(prefix: &str) -> SearchKey {
        (prefix.to_owned(), 20, String::new())
    }

    #[test]
    fn an_answer_is_served_for_its_own_query_only() {
        let cache = SearchCache::default();
        cache.put(key("dur"), Bytes::from_static(b"[1]"));
        assert_eq!(cache.get(&key("dur")), Some(Bytes::from_static(b"[1]")));
        assert_eq!(cache.get(&key("dura")), None);
        assert_eq!(cache.get(&("dur".to_owned(), 50, String::new())), None);
    }

    #[test]
    fn a_full_cache_evicts_some_answers_and_keeps_the_rest() {
        let cache = SearchCache::default();
        let page = Bytes::from(vec![b' '; (MAX_BYTES / 50) as usize]);
        for n in 0..200 {
            cache.put(key(&format!("q{n}")), page.clone());
            assert!(cache.answers.weight() <= MAX_BYTES);
        }
        assert!(cache.answers.len() > 10, "{} kept", cache.answers.len());
    }
}
