//! Answers of the name pre-fill, kept for [`TTL`]: the register changes only by import, and the
//! same first letters are typed again and again while people look themselves up. Bounded by
//! bytes: when full, the least used answers go one by one, never all at once.

use std::time::Duration;

use actix_web::web::Bytes;
use moka::sync::Cache;

/// How long an answer is reused; a register import shows in the search at most this late.
pub const TTL: Duration = Duration::from_secs(60);
/// Bytes of answers and their keys kept at most.
const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Queries with a longer prefix and cursor are answered every time and not kept.
const MAX_KEY_LEN: usize = 200;

/// A query as the cache knows it: folded prefix, limit, cursor (empty for the first page).
pub type SearchKey = (String, u32, String);

/// Serialized answers by query.
pub struct SearchCache {
    answers: Cache<SearchKey, Bytes>,
}

impl Default for SearchCache {
    fn default() -> Self {
        Self::with_capacity(MAX_BYTES)
    }
}

impl SearchCache {
    fn with_capacity(bytes: u64) -> Self {
        Self {
            answers: Cache::builder()
                .max_capacity(bytes)
                .weigher(|(prefix, _, cursor): &SearchKey, body: &Bytes| {
                    u32::try_from(prefix.len() + cursor.len() + 4 + body.len()).unwrap_or(u32::MAX)
                })
                .time_to_live(TTL)
                .build(),
        }
    }

    /// A fresh answer for this query, if one is kept.
    pub fn get(&self, key: &SearchKey) -> Option<Bytes> {
        self.answers.get(key)
    }

    /// Keeps an answer.
    pub fn put(&self, key: SearchKey, body: Bytes) {
        if key.0.len() + key.2.len() <= MAX_KEY_LEN {
            self.answers.insert(key, body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(prefix: &str) -> SearchKey {
        (prefix.to_owned(), 10, String::new())
    }

    #[test]
    fn a_full_cache_evicts_by_size_and_keeps_what_is_used() {
        let capacity = 64 * 1024;
        let cache = SearchCache::with_capacity(capacity);
        let big = Bytes::from(vec![b' '; capacity as usize / 16]);
        cache.put(key("hot"), Bytes::from_static(b"[]"));
        for n in 0..14 {
            cache.put(key(&format!("q{n}")), big.clone());
        }
        cache.answers.run_pending_tasks();
        for _ in 0..20 {
            assert!(cache.get(&key("hot")).is_some());
        }
        cache.answers.run_pending_tasks();
        for n in 14..100 {
            cache.put(key(&format!("q{n}")), big.clone());
        }
        cache.answers.run_pending_tasks();
        assert!(cache.answers.weighted_size() <= capacity);
        assert!(cache.answers.entry_count() > 1, "never emptied wholesale");
        assert_eq!(cache.get(&key("hot")), Some(Bytes::from_static(b"[]")));
    }

    #[test]
    fn long_queries_are_not_kept() {
        let cache = SearchCache::default();
        let long = (String::new(), 10, "c".repeat(MAX_KEY_LEN + 1));
        cache.put(long.clone(), Bytes::from_static(b"[]"));
        assert_eq!(cache.get(&long), None);
    }
}
