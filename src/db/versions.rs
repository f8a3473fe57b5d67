//! How this process knows that what a cache holds may have changed: a version for each part of
//! the data a cached answer is read from, moved by the writes that change that part once they
//! commit. A cached answer keeps the versions it was read at ([`Stamp`]) and is reused only while
//! they all still hold, so a write drops the answers it may change and no others: a declaration
//! in one region leaves the other regions' dashboards and every profile in place.
//!
//! Versions live in a fixed table of slots, each part hashed to one: two parts that share a slot
//! drop each other's answers (never keep a stale one), and the table never grows. Writes that do
//! not say what they change (an import, a registration) move the global version, which every
//! answer depends on.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    sync::atomic::{AtomicU64, Ordering},
};

/// Slots of the table.
const SLOTS: usize = 4096;

static GLOBAL: AtomicU64 = AtomicU64::new(0);
static SCOPED: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];

/// A part of the data that cached answers are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope<'a> {
    /// An account's own record (its profile, its email, its region gates).
    Account(&'a str),
    /// What the portal shows of a region: its bureaux, persons, declarations, payments, grants.
    Region(&'a str),
    /// Whether an account's sessions are live.
    Sessions(&'a str),
}

impl Scope<'_> {
    fn slot(&self) -> usize {
        // `DefaultHasher::new` has fixed keys: the same part lands in the same slot every time.
        let mut hasher = DefaultHasher::new();
        self.hash(&mut hasher);
        (hasher.finish() % SLOTS as u64) as usize
    }
}

/// Marks that `scope` changed: answers read from it are not reused. Call it once the change is
/// committed (a reader between the write and the commit would otherwise keep the old data under
/// the new version).
pub fn changed(scope: Scope<'_>) {
    SCOPED[scope.slot()].fetch_add(1, Ordering::SeqCst);
}

/// Marks that anything may have changed: no cached answer is reused.
pub fn everything_changed() {
    GLOBAL.fetch_add(1, Ordering::SeqCst);
}

/// The versions an answer was read at: the global one and each of its scopes'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// `None` only in unit tests, which other tests' writes must not disturb.
    global: Option<u64>,
    scoped: Vec<(usize, u64)>,
}

impl Stamp {
    /// The versions now, for an answer about to be read from `scopes` (take it before the read,
    /// so that a write racing with the read is never hidden).
    pub fn now(scopes: &[Scope<'_>]) -> Self {
        Self {
            global: Some(GLOBAL.load(Ordering::SeqCst)),
            scoped: scopes
                .iter()
                .map(|scope| {
                    let slot = scope.slot();
                    (slot, SCOPED[slot].load(Ordering::SeqCst))
                })
                .collect(),
        }
    }

    /// [`Stamp::now`] blind to the global version, for unit tests that run beside others' writes.
    #[cfg(test)]
    pub(crate) fn of_scopes_only(scopes: &[Scope<'_>]) -> Self {
        Self {
            global: None,
            ..Self::now(scopes)
        }
    }

    /// True while nothing the answer was read from has changed.
    pub fn holds(&self) -> bool {
        self.global
            .is_none_or(|global| GLOBAL.load(Ordering::SeqCst) == global)
            && self
                .scoped
                .iter()
                .all(|(slot, version)| SCOPED[*slot].load(Ordering::SeqCst) == *version)
    }
}

/// What a write transaction changed, told as it goes ([`crate::db::scoped_write_transaction`]).
#[derive(Debug, Default)]
pub struct Touched {
    accounts: Vec<String>,
    regions: Vec<String>,
    sessions: Vec<String>,
}

impl Touched {
    /// The write changes the account `id`'s own record.
    pub fn account(&mut self, id: &str) {
        self.accounts.push(id.to_owned());
    }

    /// The write changes what the portal shows of the region `code`.
    pub fn region(&mut self, code: &str) {
        self.regions.push(code.to_owned());
    }

    /// The write revokes sessions of the account `id`.
    pub fn sessions(&mut self, id: &str) {
        self.sessions.push(id.to_owned());
    }

    /// What was touched, as (`a` account, `r` region, `s` sessions of an account, id) pairs.
    pub(crate) fn parts(&self) -> impl Iterator<Item = (char, &str)> {
        let accounts = self.accounts.iter().map(|id| ('a', id.as_str()));
        let regions = self.regions.iter().map(|code| ('r', code.as_str()));
        let sessions = self.sessions.iter().map(|id| ('s', id.as_str()));
        accounts.chain(regions).chain(sessions)
    }

    /// Moves the versions of everything touched (after the commit).
    pub(crate) fn publish(self) {
        for id in &self.accounts {
            changed(Scope::Account(id));
        }
        for code in &self.regions {
            changed(Scope::Region(code));
        }
        for id in &self.sessions {
            changed(Scope::Sessions(id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_holds_until_one_of_its_scopes_or_everything_changes() {
        let scopes = [Scope::Account("a-stamp-1"), Scope::Region("r-stamp-1")];
        // Blind to the global version, which the crate's other tests move as they write.
        let stamp = Stamp::of_scopes_only(&scopes);
        assert!(stamp.holds());
        changed(Scope::Region("r-stamp-1"));
        assert!(!stamp.holds());

        let stamp = Stamp::now(&scopes);
        everything_changed();
        assert!(!stamp.holds());
    }

    #[test]
    fn a_change_elsewhere_leaves_a_stamp_in_place() {
        let stamp = Stamp::of_scopes_only(&[Scope::Account("a-stamp-2")]);
        // Another part, unless it hashes to the same slot (then the stamp is dropped, never kept
        // stale): pick one that does not.
        let other = (0..)
            .map(|n| format!("a-other-{n}"))
            .find(|id| Scope::Account(id).slot() != Scope::Account("a-stamp-2").slot())
            .expect("another slot");
        changed(Scope::Account(&other));
        changed(Scope::Sessions("a-stamp-2"));
        assert!(stamp.holds());
    }
}
