//! What the sign-in extractor remembers between requests, so that an authenticated read costs
//! neither a signature verification nor a database round trip each time:
//! - verified access tokens (a front end sends the same token for its 15 minutes), kept until
//!   their own expiry;
//! - sessions seen live, for [`SESSION_TTL`]. Any revocation in this process clears them at once
//!   (see [`crate::db::sessions::revocation_epoch`]); one made by another instance reaches this one
//!   within [`SESSION_TTL`]. Refresh tokens are always checked in the database.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::access::Claims;
use crate::db::sessions::revocation_epoch;

/// How long a session seen live is trusted without asking the database again.
pub const SESSION_TTL: Duration = Duration::from_secs(2);
/// Entries kept at most; past that the cache starts again empty (a crude but bounded policy).
const MAX_ENTRIES: usize = 20_000;

/// See the module documentation.
#[derive(Default)]
pub struct AccessCache {
    tokens: Mutex<HashMap<String, Claims>>,
    sessions: Mutex<HashMap<String, (Instant, u64)>>,
}

impl AccessCache {
    /// The claims of a token verified before and not yet expired.
    pub fn claims(&self, token: &str) -> Option<Claims> {
        let now = chrono::Utc::now().timestamp();
        let tokens = self.tokens.lock().ok()?;
        tokens.get(token).filter(|c| c.exp > now).cloned()
    }

    /// Remembers a verified token.
    pub fn remember_claims(&self, token: &str, claims: &Claims) {
        if let Ok(mut tokens) = self.tokens.lock() {
            if tokens.len() >= MAX_ENTRIES {
                tokens.clear();
            }
            tokens.insert(token.to_owned(), claims.clone());
        }
    }

    /// True when the session was seen live recently and nothing was revoked since.
    pub fn session_live(&self, session_id: &str) -> bool {
        let epoch = revocation_epoch();
        self.sessions
            .lock()
            .ok()
            .and_then(|sessions| sessions.get(session_id).copied())
            .is_some_and(|(seen, at_epoch)| at_epoch == epoch && seen.elapsed() < SESSION_TTL)
    }

    /// Remembers that the session was live at `epoch` (read before the database check, so that a
    /// revocation racing with the check is never hidden).
    pub fn remember_live(&self, session_id: &str, epoch: u64) {
        if let Ok(mut sessions) = self.sessions.lock() {
            if sessions.len() >= MAX_ENTRIES {
                sessions.clear();
            }
            sessions.insert(session_id.to_owned(), (Instant::now(), epoch));
        }
    }
}
