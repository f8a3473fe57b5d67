//! What the sign-in extractor remembers between requests, so that an authenticated read costs
//! neither a signature verification nor a database round trip each time:
//! - verified access tokens (a front end sends the same token for its 15 minutes), kept until
//!   their own expiry;
//! - sessions seen live, for [`SESSION_TTL`]. A revocation committed in this process drops the
//!   account's at once, and only the account's (see [`crate::db::versions`]); one made by another
//!   instance on PostgreSQL arrives as a notification within milliseconds ([`crate::db::notify`]),
//!   and within [`SESSION_TTL`] while notifications are down. Refresh tokens are always checked
//!   in the database.

use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use super::access::Claims;
use crate::db::versions::{Scope, Stamp};

/// How long a session seen live is trusted without asking the database again.
pub const SESSION_TTL: Duration = Duration::from_secs(2);
/// Entries kept at most in each map; past that the least used go first.
const MAX_ENTRIES: usize = 20_000;

/// See the module documentation.
pub struct AccessCache {
    tokens: Cache<String, Claims>,
    sessions: Cache<String, (Instant, Stamp)>,
}

impl Default for AccessCache {
    fn default() -> Self {
        Self {
            tokens: Cache::new(MAX_ENTRIES),
            sessions: Cache::new(MAX_ENTRIES),
        }
    }
}

impl AccessCache {
    /// The claims of a token verified before and not yet expired.
    pub fn claims(&self, token: &str) -> Option<Claims> {
        let now = chrono::Utc::now().timestamp();
        let claims = self.tokens.get(token).filter(|c| c.exp > now);
        crate::measures::cache_lookup("access_token", claims.is_some());
        claims
    }

    /// Remembers a verified token.
    pub fn remember_claims(&self, token: &str, claims: &Claims) {
        self.tokens.insert(token.to_owned(), claims.clone());
    }

    /// True when the session was seen live recently and none of its account's sessions was
    /// revoked since.
    pub fn session_live(&self, session_id: &str) -> bool {
        let live = self
            .sessions
            .get(session_id)
            .is_some_and(|(seen, stamp)| seen.elapsed() < SESSION_TTL && stamp.holds());
        crate::measures::cache_lookup("session", live);
        live
    }

    /// The versions to check the session of `account_id` at: take them before the database
    /// check, so that a revocation racing with the check is never hidden.
    pub fn stamp(account_id: &str) -> Stamp {
        Stamp::now(&[Scope::Sessions(account_id)])
    }

    /// Remembers that the session was live at `stamp` (see [`AccessCache::stamp`]).
    pub fn remember_live(&self, session_id: &str, stamp: Stamp) {
        self.sessions
            .insert(session_id.to_owned(), (Instant::now(), stamp));
    }
}
