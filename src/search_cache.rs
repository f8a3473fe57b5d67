//! Answers of the name pre-fill, kept for [`TTL`]: the register changes only by import, and the
//! same first letters are typed again and again while people look themselves up.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long an answer is reused; a register import shows in the search at most this late.
pub const TTL: Duration = Duration::from_secs(60);
/// Answers kept at most; past that the cache starts again empty.
const MAX_ENTRIES: usize = 10_000;

/// A query as the cache knows it: folded prefix, limit, cursor (empty for the first page).
pub type SearchKey = (String, u32, String);

/// Serialized answers by query.
#[derive(Default)]
pub struct SearchCache {
    answers: Mutex<HashMap<SearchKey, (Instant, actix_web::web::Bytes)>>,
}

impl SearchCache {
    /// A fresh answer for this query, if one is kept.
    pub fn get(&self, key: &SearchKey) -> Option<actix_web::web::Bytes> {
        let answers = self.answers.lock().ok()?;
        answers
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, body)| body.clone())
    }

    /// Keeps an answer.
    pub fn put(&self, key: SearchKey, body: actix_web::web::Bytes) {
        if let Ok(mut answers) = self.answers.lock() {
            if answers.len() >= MAX_ENTRIES {
                answers.clear();
            }
            answers.insert(key, (Instant::now(), body));
        }
    }
}
