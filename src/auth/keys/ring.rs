//! The keys a running instance uses, kept in step with the key file without a restart.
//!
//! Checks are lazy, on use, so that no thread outlives an application stopped in a test and the
//! CLI commands start none: every [`CHECK_EVERY`] one caller stats the file (a few microseconds)
//! and re-reads it if its modification time or size changed; the others go on with the keys in
//! place. A token whose `kid` is unknown checks at once (at most once per
//! [`UNKNOWN_KID_CHECK_EVERY`], so that made-up kids cost one `stat` a second at most): the
//! instance that saw the new file first already signs with the new key, and the others must not
//! refuse its tokens for the seconds until their own check.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError, RwLock,
    },
    time::{Duration, Instant, SystemTime},
};

use chrono::{DateTime, Utc};

use super::{file, SigningKeys};

/// How often an instance looks at the key file.
pub const CHECK_EVERY: Duration = Duration::from_secs(5);
/// How often an unknown `kid` may make it look at once.
pub const UNKNOWN_KID_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The current [`SigningKeys`], replaced as a whole when the key file changes or a retire-after
/// mark passes. Reading them costs an atomic load and one uncontended read lock.
pub struct KeyRing {
    current: RwLock<Arc<SigningKeys>>,
    /// `None` for keys given directly (tests, tokens of a foreign key).
    watch: Option<Watch>,
}

struct Watch {
    path: PathBuf,
    check_every: Duration,
    unknown_kid_check_every: Duration,
    started: Instant,
    /// Milliseconds after `started` from which the next periodic check is due.
    next_check: AtomicU64,
    /// Milliseconds after `started` from which an unknown kid may check again.
    next_unknown_kid_check: AtomicU64,
    seen: Mutex<Seen>,
}

/// What the last check found, behind the mutex that serialises checks.
struct Seen {
    stamp: Option<Stamp>,
    /// The last text that loaded: when a mark passes, the keys are rebuilt from it, so that a
    /// broken file on disk does not keep a retired key alive.
    text: String,
}

/// Enough to tell that the file was replaced or edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: SystemTime,
    len: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let metadata = std::fs::metadata(path).ok()?;
        Some(Self {
            modified: metadata.modified().ok()?,
            len: metadata.len(),
        })
    }
}

impl From<SigningKeys> for KeyRing {
    /// Keys that never change.
    fn from(keys: SigningKeys) -> Self {
        Self {
            current: RwLock::new(Arc::new(keys)),
            watch: None,
        }
    }
}

impl KeyRing {
    /// Reads the key file (creating it with a fresh key when it does not exist) and follows it.
    pub fn load_or_generate(path: &Path) -> Result<Self, String> {
        file::generate_if_missing(path)?;
        Self::watching(path, CHECK_EVERY, UNKNOWN_KID_CHECK_EVERY)
    }

    fn watching(
        path: &Path,
        check_every: Duration,
        unknown_kid_check_every: Duration,
    ) -> Result<Self, String> {
        // The stamp before the text: a change in between is then read again at the next check,
        // where the other order would take the new stamp for the old text and miss the change.
        let stamp = Stamp::of(path);
        let text = file::read(path)?;
        let keys = SigningKeys::from_pem(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self {
            current: RwLock::new(Arc::new(keys)),
            watch: Some(Watch {
                path: path.to_owned(),
                check_every,
                unknown_kid_check_every,
                started: Instant::now(),
                next_check: AtomicU64::new(millis(check_every)),
                next_unknown_kid_check: AtomicU64::new(0),
                seen: Mutex::new(Seen { stamp, text }),
            }),
        })
    }

    /// The keys to sign with or publish, after a look at the file if one is due.
    pub fn current(&self) -> Arc<SigningKeys> {
        if let Some(watch) = &self.watch {
            if watch.due(&watch.next_check, watch.check_every) {
                self.check(watch, Utc::now());
            }
        }
        self.snapshot()
    }

    /// The keys that verify `kid`, looking at the file at once when the current ones do not
    /// know it; `None` when no key of the file (or no longer any) has that id.
    pub fn knowing(&self, kid: &str) -> Option<Arc<SigningKeys>> {
        let keys = self.current();
        if keys.decoding_key(kid).is_some() {
            return Some(keys);
        }
        let watch = self.watch.as_ref()?;
        if !watch.due(&watch.next_unknown_kid_check, watch.unknown_kid_check_every) {
            return None;
        }
        self.check(watch, Utc::now());
        let keys = self.snapshot();
        keys.decoding_key(kid).is_some().then_some(keys)
    }

    fn snapshot(&self) -> Arc<SigningKeys> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn replace(&self, keys: SigningKeys) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
    }

    /// Re-reads the file if it changed, and rebuilds the keys from the last good text if a
    /// retire-after mark has passed at `now`.
    fn check(&self, watch: &Watch, now: DateTime<Utc>) {
        let mut seen = watch.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = Stamp::of(&watch.path);
        if stamp != seen.stamp {
            // Taken whatever follows: a broken file is reported once, not at every check, and
            // read again only when it changes again.
            seen.stamp = stamp;
            let loaded = file::read(&watch.path)
                .and_then(|text| SigningKeys::from_pem_at(&text, now).map(|keys| (text, keys)));
            match loaded {
                Ok((text, keys)) => {
                    tracing::info!(
                        file = %watch.path.display(),
                        signer = keys.active_kid(),
                        verifying = keys.jwks().keys.len(),
                        "token signing keys reloaded"
                    );
                    seen.text = text;
                    self.replace(keys);
                    return;
                }
                Err(error) => tracing::error!(
                    file = %watch.path.display(),
                    %error,
                    "the key file changed but cannot be used; keeping the previous keys"
                ),
            }
        }
        if self.snapshot().outlived_at(now) {
            match SigningKeys::from_pem_at(&seen.text, now) {
                Ok(keys) => self.replace(keys),
                // Cannot happen with a text that loaded before (a mark passing removes verifiers,
                // never the signer), but a missed retirement must be seen.
                Err(error) => tracing::error!(%error, "cannot retire the keys whose mark passed"),
            }
        }
    }
}

impl Watch {
    /// Whether the check that `next` schedules is due; true for one caller only per period.
    fn due(&self, next: &AtomicU64, every: Duration) -> bool {
        let now = millis(self.started.elapsed());
        let at = next.load(Ordering::Relaxed);
        now >= at
            && next
                .compare_exchange(
                    at,
                    now.saturating_add(millis(every)),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{access, keys::rotate_file_publishing};

    /// A rotation whose new key signs at once: what an instance sees once the publication delay
    /// is over.
    fn rotate_file(
        path: &std::path::Path,
        now: chrono::DateTime<Utc>,
    ) -> Result<crate::auth::keys::Rotation, String> {
        rotate_file_publishing(path, now, chrono::Duration::zero())
    }

    const NEVER: Duration = Duration::from_secs(3600);

    fn key_file(dir: &tempfile::TempDir) -> PathBuf {
        let path = dir.path().join("jwt-keys.pem");
        file::write_private(&path, &super::super::generate_pem().expect("key")).expect("written");
        path
    }

    fn token_of(keys: &SigningKeys) -> String {
        access::issue(keys, "iss", "aud", "acc-1", "ses-1", "pwd", Vec::new()).expect("token")
    }

    #[test]
    fn a_changed_file_is_picked_up_at_the_next_check_and_not_before() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let checking = KeyRing::watching(&path, Duration::ZERO, NEVER).expect("ring");
        let waiting = KeyRing::watching(&path, NEVER, NEVER).expect("ring");
        let before = checking.current().active_kid().to_owned();

        let rotation = rotate_file(&path, Utc::now()).expect("rotated");

        assert_eq!(checking.current().active_kid(), rotation.new_kid);
        assert!(checking.current().decoding_key(&before).is_some());
        assert_eq!(waiting.current().active_kid(), before);
    }

    #[test]
    fn a_token_of_an_unknown_kid_makes_the_ring_look_at_once_then_not_again_for_a_while() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let ring = KeyRing::watching(&path, NEVER, NEVER).expect("ring");

        rotate_file(&path, Utc::now()).expect("rotated");
        // Another instance that already reloaded signs with the new key.
        let other = SigningKeys::load_or_generate(&path).expect("keys");
        let claims = access::verify(&ring, "iss", "aud", &token_of(&other)).expect("verifies");
        assert_eq!(claims.sub, "acc-1");
        assert_eq!(ring.current().active_kid(), other.active_kid());

        // Made-up kids do not each cost a look at the file.
        rotate_file(&path, Utc::now()).expect("rotated again");
        let newest = SigningKeys::load_or_generate(&path).expect("keys");
        assert_eq!(
            access::verify(&ring, "iss", "aud", &token_of(&newest)).err(),
            Some(access::Refusal::Invalid)
        );
    }

    #[test]
    fn a_broken_file_keeps_the_previous_keys_until_a_good_one_replaces_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let ring = KeyRing::watching(&path, Duration::ZERO, NEVER).expect("ring");
        let before = SigningKeys::load_or_generate(&path).expect("keys");

        // Caught half-written: the block has no END line.
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, &text[..text.len() / 2]).expect("truncated");
        assert_eq!(ring.current().active_kid(), before.active_kid());
        assert!(access::verify(&ring, "iss", "aud", &token_of(&before)).is_ok());

        let replacement = super::super::generate_pem().expect("key");
        std::fs::write(&path, &replacement).expect("replaced");
        let after = SigningKeys::from_pem(&replacement).expect("keys");
        assert_eq!(ring.current().active_kid(), after.active_kid());
    }

    #[test]
    fn a_retired_key_stops_verifying_when_its_mark_passes_without_a_file_change() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let old = SigningKeys::load_or_generate(&path).expect("keys");
        let rotation = rotate_file(&path, Utc::now()).expect("rotated");
        let ring = KeyRing::watching(&path, NEVER, NEVER).expect("ring");
        let watch = ring.watch.as_ref().expect("watching");

        ring.check(watch, rotation.retire_after - chrono::Duration::seconds(1));
        assert!(ring.snapshot().decoding_key(old.active_kid()).is_some());
        ring.check(watch, rotation.retire_after);
        assert!(ring.snapshot().decoding_key(old.active_kid()).is_none());
        assert_eq!(ring.snapshot().jwks().keys.len(), 1);
        assert_eq!(ring.snapshot().active_kid(), rotation.new_kid);
    }

    #[test]
    fn a_published_key_starts_signing_at_its_mark_without_a_file_change() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let old = SigningKeys::load_or_generate(&path).expect("keys");
        let now = Utc::now();
        let rotation = crate::auth::keys::rotate_file(&path, now).expect("rotated");
        let ring = KeyRing::watching(&path, NEVER, NEVER).expect("ring");
        let watch = ring.watch.as_ref().expect("watching");

        ring.check(watch, now);
        assert_eq!(ring.snapshot().active_kid(), old.active_kid());
        assert!(ring.snapshot().decoding_key(&rotation.new_kid).is_some());
        ring.check(watch, rotation.signs_from - chrono::Duration::seconds(1));
        assert_eq!(ring.snapshot().active_kid(), old.active_kid());
        ring.check(watch, rotation.signs_from);
        assert_eq!(ring.snapshot().active_kid(), rotation.new_kid);
        assert!(ring.snapshot().decoding_key(old.active_kid()).is_some());
    }
}
