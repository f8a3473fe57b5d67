//! The key file: PEM blocks, each optionally preceded by a `# retire-after: <RFC 3339 instant>`
//! line, and the operator's two commands on it (rotate, list).
//!
//! ```text
//! -----BEGIN PRIVATE KEY-----          the signer: the first key without a mark
//! ...
//! -----END PRIVATE KEY-----
//! # retire-after: 2026-11-03T10:20:00Z   verifies (and is published) until then, then ignored
//! -----BEGIN PRIVATE KEY-----
//! ...
//! -----END PRIVATE KEY-----
//! ```
//!
//! The mark is a comment line so that a file written by this version still loads in an older
//! one (whose parser skips every line outside the blocks); other comment lines before a block
//! are kept with it when the file is rewritten.

use std::{
    fmt,
    io::Write,
    path::{Path, PathBuf},
};

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{pkcs8::DecodePrivateKey, SigningKey};

use super::{generate_pem, key_id, SigningKeys};
use crate::auth::access::ACCESS_TOKEN_SECONDS;

/// The prefix of the mark, after `#`.
const RETIRE_AFTER: &str = "retire-after:";
/// The prefix of the mark of a key published before it signs.
const SIGN_AFTER: &str = "sign-after:";

/// How long a new key is published before it signs: the JWKS is cached 5 minutes by whoever
/// verifies our tokens elsewhere (`Cache-Control` of the route), plus 30 s for an instance's
/// check interval and the clocks of the machines. Signing at once would have their verifiers
/// refuse the new tokens until their copy expires.
pub const PUBLICATION_SECONDS: i64 = 5 * 60 + 30;

/// How long a retired key verifies beyond the last token it may have signed: clocks of the
/// instances disagree by seconds, an instance takes up to its check interval to see the new
/// file, and verifiers elsewhere cache the JWKS for 5 minutes (`Cache-Control` of the route).
pub const RETIREMENT_MARGIN_SECONDS: i64 = 5 * 60;

/// One key of the file and what the file says about it.
pub(super) struct Entry {
    /// The comment lines before the block (the mark aside), written back with it.
    notes: Vec<String>,
    pub(super) retire_after: Option<DateTime<Utc>>,
    /// Before this instant the key is published and verifies, but does not sign yet.
    pub(super) sign_after: Option<DateTime<Utc>>,
    /// The block as read, from its BEGIN line to its END line.
    pem: String,
    pub(super) key: SigningKey,
    pub(super) kid: String,
}

/// A parsed key file.
pub(super) struct KeyFile {
    pub(super) entries: Vec<Entry>,
    /// Comment lines after the last block.
    trailer: Vec<String>,
}

impl KeyFile {
    /// Reads the blocks and their marks. Stricter than a plain PEM reader on purpose: a mark that
    /// does not parse, or a block that does not end, would otherwise turn a retired key into the
    /// signer or silently drop the key an instance needs (a file caught half-written).
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        let mut notes = Vec::new();
        let mut mark = None;
        let mut pending = None;
        let mut block: Option<String> = None;
        for (number, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if let Some(pem) = block.as_mut() {
                pem.push_str(trimmed);
                pem.push('\n');
                if trimmed.starts_with("-----END") {
                    let pem = std::mem::take(pem);
                    block = None;
                    let key = SigningKey::from_pkcs8_pem(&pem)
                        .map_err(|e| format!("invalid Ed25519 key: {e}"))?;
                    entries.push(Entry {
                        notes: std::mem::take(&mut notes),
                        retire_after: mark.take(),
                        sign_after: pending.take(),
                        kid: key_id(&key.verifying_key().to_bytes()),
                        key,
                        pem,
                    });
                }
            } else if trimmed.starts_with("-----BEGIN") {
                block = Some(format!("{trimmed}\n"));
            } else if let Some(value) = trimmed
                .strip_prefix('#')
                .map(str::trim_start)
                .and_then(|comment| comment.strip_prefix(RETIRE_AFTER))
            {
                if mark.is_some() {
                    return Err(format!("line {}: a second retire-after mark", number + 1));
                }
                let until = DateTime::parse_from_rfc3339(value.trim()).map_err(|e| {
                    format!("line {}: retire-after {:?}: {e}", number + 1, value.trim())
                })?;
                mark = Some(until.with_timezone(&Utc));
            } else if let Some(value) = trimmed
                .strip_prefix('#')
                .map(str::trim_start)
                .and_then(|comment| comment.strip_prefix(SIGN_AFTER))
            {
                if pending.is_some() {
                    return Err(format!("line {}: a second sign-after mark", number + 1));
                }
                let from = DateTime::parse_from_rfc3339(value.trim()).map_err(|e| {
                    format!("line {}: sign-after {:?}: {e}", number + 1, value.trim())
                })?;
                pending = Some(from.with_timezone(&Utc));
            } else if !trimmed.is_empty() {
                notes.push(line.to_owned());
            }
        }
        if block.is_some() {
            return Err("the last key block has no END line".into());
        }
        if mark.is_some() || pending.is_some() {
            return Err("a mark with no key after it".into());
        }
        if entries.is_empty() {
            return Err("no key in the key file".into());
        }
        Ok(Self {
            entries,
            trailer: notes,
        })
    }

    /// Which key signs at `now`: the first without a retire-after mark whose sign-after mark, if
    /// any, has passed. While a new key is still being published, the key it replaces (marked
    /// at the rotation, the first key still ahead of its retire-after mark) goes on signing.
    /// Failing both (a file holding only keys still being published), the first key without a
    /// retire-after mark.
    pub(super) fn signer(&self, now: DateTime<Utc>) -> Option<usize> {
        let signs_yet = |e: &Entry| e.sign_after.is_none_or(|from| from <= now);
        // Of the keys that may sign, the one whose sign-after passed last (a key placed after an
        // unmarked one by hand still takes over at its instant), the first of equals.
        let mut best: Option<(usize, Option<DateTime<Utc>>)> = None;
        for (index, entry) in self.entries.iter().enumerate() {
            if entry.retire_after.is_none()
                && signs_yet(entry)
                && best.is_none_or(|(_, from)| entry.sign_after > from)
            {
                best = Some((index, entry.sign_after));
            }
        }
        best.map(|(index, _)| index)
            .or_else(|| {
                let publishing = self
                    .entries
                    .iter()
                    .any(|e| e.retire_after.is_none() && !signs_yet(e));
                self.entries.iter().position(|e| {
                    publishing && e.retire_after.is_some_and(|until| until > now) && signs_yet(e)
                })
            })
            .or_else(|| self.entries.iter().position(|e| e.retire_after.is_none()))
    }

    fn render(&self) -> String {
        let mut text = String::new();
        for entry in &self.entries {
            for note in &entry.notes {
                text.push_str(note);
                text.push('\n');
            }
            if let Some(from) = entry.sign_after {
                text.push_str(&format!("# {SIGN_AFTER} {}\n", instant(from)));
            }
            if let Some(until) = entry.retire_after {
                text.push_str(&format!("# {RETIRE_AFTER} {}\n", instant(until)));
            }
            text.push_str(&entry.pem);
        }
        for note in &self.trailer {
            text.push_str(note);
            text.push('\n');
        }
        text
    }
}

/// An instant as the file and the reports write it: RFC 3339, UTC, to the second.
fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What [`rotate_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The new key: published at once, signing from [`Rotation::signs_from`].
    pub new_kid: String,
    /// When the new key starts signing, and the retired ones stop.
    pub signs_from: DateTime<Utc>,
    /// The keys that stopped signing: the previous signer, and any other key that had no mark
    /// (left over from a rotation done by hand).
    pub retired: Vec<String>,
    /// Until when the retired keys verify.
    pub retire_after: DateTime<Utc>,
    /// The keys removed from the file because their mark had passed.
    pub dropped: Vec<String>,
}

impl fmt::Display for Rotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "new signing key: {} (published now, signs from {})",
            self.new_kid,
            instant(self.signs_from)
        )?;
        for kid in &self.retired {
            writeln!(
                f,
                "retired: {kid} (signs until {}, verifies until {})",
                instant(self.signs_from),
                instant(self.retire_after)
            )?;
        }
        if self.dropped.is_empty() {
            write!(f, "dropped: none")
        } else {
            write!(f, "dropped: {}", self.dropped.join(", "))
        }
    }
}

/// Where a key of the file stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Signs new tokens (and verifies).
    Signing,
    /// Published and verifying; signs from the instant.
    Publishing(DateTime<Utc>),
    /// Verifies and is published until the instant; `None` for a key without a mark that is
    /// not the signer (a file rotated by hand), which verifies until it is removed.
    Verifying(Option<DateTime<Utc>>),
    /// Its mark has passed: ignored, and dropped at the next rotation.
    Expired(DateTime<Utc>),
}

/// One key of the file for `keys list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// The key id, as in the tokens' `kid` header and the JWKS.
    pub kid: String,
    /// What the key does now.
    pub state: KeyState,
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state {
            KeyState::Signing => write!(f, "{}  signing", self.kid),
            KeyState::Publishing(from) => {
                write!(f, "{}  published, signs from {}", self.kid, instant(from))
            }
            KeyState::Verifying(Some(until)) => {
                write!(f, "{}  verifying until {}", self.kid, instant(until))
            }
            KeyState::Verifying(None) => {
                write!(f, "{}  verifying (no retire-after mark)", self.kid)
            }
            KeyState::Expired(since) => write!(f, "{}  expired since {}", self.kid, instant(since)),
        }
    }
}

/// The keys of the file at `now`, in the file's order.
pub fn describe_file(path: &Path, now: DateTime<Utc>) -> Result<Vec<KeyStatus>, String> {
    let text = read(path)?;
    let parsed = KeyFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let signer = parsed.signer(now);
    Ok(parsed
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| KeyStatus {
            kid: entry.kid.clone(),
            state: match entry.retire_after {
                _ if Some(index) == signer => KeyState::Signing,
                None => match entry.sign_after {
                    Some(from) if from > now => KeyState::Publishing(from),
                    _ => KeyState::Verifying(None),
                },
                Some(until) if until <= now => KeyState::Expired(until),
                until => KeyState::Verifying(until),
            },
        })
        .collect())
}

/// Rotates the signing key of the file at `path`: a new key, first in the file, is published at
/// once and signs [`PUBLICATION_SECONDS`] later; every key that signed or could have (no mark)
/// signs until then and verifies an access token's lifetime plus [`RETIREMENT_MARGIN_SECONDS`]
/// longer; keys whose mark has passed are removed. The file is replaced in one rename, so an
/// instance re-reading it sees the old file or the new one.
pub fn rotate_file(path: &Path, now: DateTime<Utc>) -> Result<Rotation, String> {
    rotate_file_publishing(path, now, chrono::Duration::seconds(PUBLICATION_SECONDS))
}

/// [`rotate_file`] with the new key published for `publish_for` before it signs (zero: at once,
/// for a key that nobody outside verifies, or tests).
pub fn rotate_file_publishing(
    path: &Path,
    now: DateTime<Utc>,
    publish_for: chrono::Duration,
) -> Result<Rotation, String> {
    let text = read(path)?;
    let mut parsed = KeyFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    // Rounded up to the second, as written: a mark never shortens a token's last seconds.
    let from_seconds = now.timestamp()
        + publish_for.num_seconds().max(0)
        + i64::from(now.timestamp_subsec_nanos() > 0);
    // Published for no time: the new key signs now, with no mark.
    let signs_from = if publish_for > chrono::Duration::zero() {
        DateTime::from_timestamp(from_seconds, 0).ok_or("instant out of range")?
    } else {
        now
    };
    let retire_after = DateTime::from_timestamp(
        from_seconds + ACCESS_TOKEN_SECONDS + RETIREMENT_MARGIN_SECONDS,
        0,
    )
    .ok_or("instant out of range")?;

    let (kept, gone): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut parsed.entries)
        .into_iter()
        .partition(|entry| entry.retire_after.is_none_or(|until| until > now));
    let dropped = gone.into_iter().map(|entry| entry.kid).collect();
    let mut retired = Vec::new();
    for mut entry in kept {
        if entry.retire_after.is_none() {
            entry.retire_after = Some(retire_after);
            retired.push(entry.kid.clone());
        }
        parsed.entries.push(entry);
    }
    let pem = generate_pem()?;
    let mut new = KeyFile::parse(&pem)?
        .entries
        .pop()
        .ok_or("the generated key did not parse")?;
    new.sign_after = (signs_from > now).then_some(signs_from);
    let new_kid = new.kid.clone();
    parsed.entries.insert(0, new);

    let contents = parsed.render();
    // What the instances will do with the file: refuse to write one they would refuse to load.
    let check = SigningKeys::from_pem_at(&contents, signs_from)?;
    if check.active_kid() != new_kid || check.decoding_key(&new_kid).is_none() {
        return Err("the rewritten file would not sign with the new key".into());
    }
    replace_private(path, &contents)?;
    Ok(Rotation {
        new_kid,
        signs_from,
        retired,
        retire_after,
        dropped,
    })
}

/// The file's text.
pub(super) fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Creates the file with a fresh key (mode 0600) when it does not exist.
pub(super) fn generate_if_missing(path: &Path) -> Result<(), String> {
    if !path.exists() {
        write_private(path, &generate_pem()?)?;
        tracing::info!(file = %path.display(), "generated a new token signing key");
    }
    Ok(())
}

/// Writes a secret file readable by its owner only.
pub fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut file = open_private(path, false)?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Opens a file for writing with mode 0600 from its creation (no moment where another user could
/// open it); `fresh` refuses an existing file instead of truncating it.
fn open_private(path: &Path, fresh: bool) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if fresh {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Replaces `path` with a file of `contents` through a temporary file in the same directory
/// (a rename is atomic only within one file system) that takes the old file's owner, so that
/// the service can still read a file rotated by root.
fn replace_private(path: &Path, contents: &str) -> Result<(), String> {
    let name = path
        .file_name()
        .ok_or_else(|| format!("{} is not a file name", path.display()))?;
    let temporary: PathBuf = path.with_file_name(format!(
        ".{}.{:016x}.tmp",
        name.to_string_lossy(),
        rand::random::<u64>()
    ));
    let written = (|| {
        let mut file = open_private(&temporary, true)?;
        let failed = |e: std::io::Error| format!("cannot write {}: {e}", temporary.display());
        file.write_all(contents.as_bytes()).map_err(failed)?;
        // On disk before the rename: a crash must not leave an empty file under the real name.
        file.sync_all().map_err(failed)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let old = std::fs::metadata(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            std::os::unix::fs::chown(&temporary, Some(old.uid()), Some(old.gid())).map_err(
                |e| {
                    format!(
                        "cannot give the new key file the owner of {} (uid {}, gid {}): {e}; \
                         run the command as that user or as root",
                        path.display(),
                        old.uid(),
                        old.gid()
                    )
                },
            )?;
            // The old file's mode too: a file shared read-only with the service's group (0640)
            // must stay readable by it after a rotation.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                &temporary,
                // Never readable by others, whatever the old file allowed: it holds private keys.
                std::fs::Permissions::from_mode(old.mode() & 0o770),
            )
            .map_err(|e| format!("cannot set the mode of {}: {e}", temporary.display()))?;
        }
        std::fs::rename(&temporary, path)
            .map_err(|e| format!("cannot replace {}: {e}", path.display()))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    // The rename itself reaches the disk with the directory (best effort: not every platform
    // opens a directory as a file).
    if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(directory) = std::fs::File::open(directory) {
            let _ = directory.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{access, keys::KeyRing};

    fn key_file(dir: &tempfile::TempDir) -> PathBuf {
        let path = dir.path().join("jwt-keys.pem");
        write_private(&path, &generate_pem().expect("key")).expect("written");
        path
    }

    fn keys_at(path: &Path, now: DateTime<Utc>) -> SigningKeys {
        SigningKeys::from_pem_at(&read(path).expect("read"), now).expect("keys")
    }

    #[test]
    fn a_rotation_publishes_a_new_key_first_then_signs_with_it_and_keeps_the_old_one_until_its_mark(
    ) {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let old = SigningKeys::from_pem(&read(&path).expect("read")).expect("keys");
        let token =
            access::issue(&old, "iss", "aud", "acc-1", "ses-1", "pwd", Vec::new()).expect("token");
        let now = Utc::now();

        let rotation = rotate_file(&path, now).expect("rotated");

        assert_eq!(rotation.retired, [old.active_kid()]);
        assert!(rotation.dropped.is_empty());
        let published_for = rotation.signs_from - now;
        assert!(published_for >= chrono::Duration::seconds(PUBLICATION_SECONDS));
        assert!(published_for <= chrono::Duration::seconds(PUBLICATION_SECONDS + 1));
        assert_eq!(
            rotation.retire_after - rotation.signs_from,
            chrono::Duration::minutes(20)
        );
        // Published at once, the old key still signing.
        let during = keys_at(&path, now);
        assert_eq!(during.active_kid(), old.active_kid());
        assert!(during.decoding_key(&rotation.new_kid).is_some());
        assert_eq!(during.jwks().keys.len(), 2);
        // From its instant, the new key signs.
        let keys = keys_at(&path, rotation.signs_from);
        assert_eq!(keys.active_kid(), rotation.new_kid);
        assert_ne!(rotation.new_kid, old.active_kid());
        let ring = KeyRing::from(keys);
        assert!(access::verify(&ring, "iss", "aud", &token).is_ok());
        let at_the_mark = keys_at(&path, rotation.retire_after);
        assert!(at_the_mark.decoding_key(old.active_kid()).is_none());
        assert_eq!(at_the_mark.active_kid(), rotation.new_kid);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing left beside the key file.
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn a_key_marked_by_hand_after_an_unmarked_one_takes_over_at_its_instant() {
        let (a, b) = (generate_pem().expect("key"), generate_pem().expect("key"));
        let text = format!("{a}# sign-after: 2030-01-01T00:00:00Z\n{b}");
        let at = |instant: &str| {
            SigningKeys::from_pem_at(&text, instant.parse().expect("instant"))
                .expect("keys")
                .active_kid()
                .to_owned()
        };
        let kid = |pem: &str| {
            SigningKeys::from_pem(pem)
                .expect("key")
                .active_kid()
                .to_owned()
        };
        assert_eq!(at("2029-12-31T23:59:59Z"), kid(&a));
        assert_eq!(at("2030-01-01T00:00:00Z"), kid(&b));
    }

    #[test]
    fn a_rotation_keeps_a_group_readable_files_mode() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
            rotate_file(&path, Utc::now()).expect("rotated");
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
    }

    #[test]
    fn a_second_rotation_after_the_mark_drops_the_first_key_and_keeps_the_notes() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let text = read(&path).expect("read");
        std::fs::write(&path, format!("# production key, 2026\n{text}")).expect("noted");
        let start = Utc::now();
        let first = rotate_file(&path, start).expect("rotated");
        let later = first.retire_after + chrono::Duration::seconds(1);

        let second = rotate_file(&path, later).expect("rotated again");

        assert_eq!(second.dropped, first.retired);
        assert_eq!(second.retired, [first.new_kid.as_str()]);
        assert_eq!(
            describe_file(&path, later).expect("described"),
            [
                KeyStatus {
                    kid: second.new_kid.clone(),
                    state: KeyState::Publishing(second.signs_from)
                },
                KeyStatus {
                    kid: first.new_kid.clone(),
                    state: KeyState::Signing
                },
            ]
        );
        assert_eq!(
            describe_file(&path, second.signs_from).expect("described"),
            [
                KeyStatus {
                    kid: second.new_kid.clone(),
                    state: KeyState::Signing
                },
                KeyStatus {
                    kid: first.new_kid.clone(),
                    state: KeyState::Verifying(Some(second.retire_after))
                },
            ]
        );
        // The dropped key's note went with it.
        assert!(!read(&path).expect("read").contains("production key"));
        assert!(second
            .to_string()
            .contains(&format!("dropped: {}", first.retired[0])));
    }

    #[test]
    fn the_list_tells_signing_verifying_and_expired_keys_apart() {
        let dir = tempfile::tempdir().expect("dir");
        let path = key_file(&dir);
        let now = Utc::now();
        let rotation = rotate_file(&path, now).expect("rotated");

        let listed = describe_file(&path, rotation.retire_after).expect("described");

        assert_eq!(listed[0].state, KeyState::Signing);
        assert_eq!(listed[1].state, KeyState::Expired(rotation.retire_after));
        assert_eq!(
            listed[1].to_string(),
            format!(
                "{}  expired since {}",
                rotation.retired[0],
                instant(rotation.retire_after)
            )
        );
    }

    #[test]
    fn rotating_a_missing_or_broken_file_fails_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("none.pem");
        assert!(rotate_file(&missing, Utc::now()).is_err());
        assert!(!missing.exists());
        let broken = dir.path().join("broken.pem");
        std::fs::write(&broken, "-----BEGIN PRIVATE KEY-----\nAAAA\n").expect("written");
        assert!(rotate_file(&broken, Utc::now()).is_err());
        assert_eq!(
            read(&broken).expect("read"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }
}
