//! What the sign-in extractor remembers between requests, so that an authenticated read costs
//! neither a signature verification nor a database round trip each time:
//! - verified access tokens (a front end sends the same token for its 15 minutes), kept until
//!   their own expiry;
//! - sessions seen live, for [`SESSION_TTL`]. Any revocation in this process makes them be
//!   checked again at once (see [`crate::db::sessions::revocation_epoch`]); one made by another
//!   instance reaches this one within [`SESSION_TTL`]. Refresh tokens are always checked in the
//!   database.
//!
//! Both are bounded by entries: when full, the least used entries go, one by one, never all.

use std::time::Duration;

use moka::sync::Cache;

use super::access::Claims;
use crate::db::sessions::revocation_epoch;

/// How long a session seen live is trusted without asking the database again.
pub const SESSION_TTL: Duration = Duration::from_secs(2);
/// Tokens and sessions kept at most, each.
const MAX_ENTRIES: u64 = 20_000;
/// The longest an access token lives (its own `exp` is checked on each read as well).
const TOKEN_TTL: Duration = Duration::from_secs(15 * 60);

/// See the module documentation.
pub struct AccessCache {
    tokens: Cache<String, Claims>,
    /// Session id → revocation epoch at which it was seen live.
    sessions: Cache<String, u64>,
}

impl Default for AccessCache {
    fn default() -> Self {
        Self::with_capacity(MAX_ENTRIES)
    }
}

impl AccessCache {
    fn with_capacity(entries: u64) -> Self {
        Self {
            tokens: Cache::builder()
                .max_capacity(entries)
                .time_to_live(TOKEN_TTL)
                .build(),
            sessions: Cache::builder()
                .max_capacity(entries)
                .time_to_live(SESSION_TTL)
                .build(),
        }
    }

    /// The claims of a token verified before and not yet expired.
    pub fn claims(&self, token: &str) -> Option<Claims> {
        let now = chrono::Utc::now().timestamp();
        self.tokens.get(token).filter(|c| c.exp > now)
    }

    /// Remembers a verified token.
    pub fn remember_claims(&self, token: &str, claims: &Claims) {
        self.tokens.insert(token.to_owned(), claims.clone());
    }

    /// True when the session was seen live recently and nothing was revoked since.
    pub fn session_live(&self, session_id: &str) -> bool {
        let epoch = revocation_epoch();
        self.sessions
            .get(session_id)
            .is_some_and(|at_epoch| at_epoch == epoch)
    }

    /// Remembers that the session was live at `epoch` (read before the database check, so that a
    /// revocation racing with the check is never hidden).
    pub fn remember_live(&self, session_id: &str, epoch: u64) {
        self.sessions.insert(session_id.to_owned(), epoch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_forgets_sessions_one_by_one() {
        let cache = AccessCache::with_capacity(100);
        let epoch = revocation_epoch();
        cache.remember_live("kept", epoch);
        for n in 0..99 {
            cache.remember_live(&format!("s{n}"), epoch);
        }
        cache.sessions.run_pending_tasks();
        // Seen on every request: the policy keeps what is used.
        for _ in 0..20 {
            cache.sessions.get("kept");
        }
        cache.sessions.run_pending_tasks();
        for n in 100..1_000 {
            cache.remember_live(&format!("s{n}"), epoch);
        }
        cache.sessions.run_pending_tasks();
        assert!(cache.sessions.entry_count() <= 100);
        assert!(cache.sessions.entry_count() > 0, "never emptied wholesale");
        assert!(cache.sessions.contains_key("kept"));
    }
}
