//! Password hashing with Argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Hashing is deliberately slow: callers run it on the blocking pool, never on the executor.

use std::{cell::RefCell, sync::OnceLock};

use argon2::{
    password_hash::{Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};

/// Memory cost in KiB (19 MiB).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Iterations.
pub const ITERATIONS: u32 = 2;
/// Parallelism.
pub const PARALLELISM: u32 = 1;

fn hasher() -> Argon2<'static> {
    // The parameters are constants that argon2 accepts; a failure here would be a programming error
    // caught by the unit tests, so fall back to the crate's defaults (which are the same) rather than panic.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

thread_local! {
    /// Argon2's working memory, kept by each thread that hashes (the few hashing threads) instead
    /// of 19 MiB allocated and freed per hash: the allocator kept those blocks resident anyway
    /// (hundreds of MiB under a login storm), and fresh pages cost page faults on every hash.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with at least `blocks` blocks of this thread's Argon2 memory.
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        work(&mut memory[..blocks])
    })
}

/// Argon2 output for `password` and the decoded `salt`, written into `out`.
fn derive(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    with_memory(params.block_count(), |memory| {
        argon.hash_password_into_with_memory(password, salt, out, memory)
    })
}

/// A PHC-format Argon2id hash of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let argon = hasher();
    let params = argon.params().clone();
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buffer)?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(output_len, |out| {
        derive(&argon, &params, password.as_bytes(), salt_bytes, out).map_err(Into::into)
    })?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Wrong password (or unreadable hash).
    Mismatch,
    /// Right password, hash at the current parameters.
    Match,
    /// Right password, but the hash was made with weaker parameters: store a new one.
    MatchNeedsRehash,
}

/// Checks `password` against `stored` (any Argon2 variant and parameters).
pub fn verify(password: &str, stored: &str) -> Verification {
    let Some(parsed) = PasswordHash::new(stored).ok() else {
        return Verification::Mismatch;
    };
    let checked = (|| -> Option<bool> {
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut salt_buffer = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt_buffer).ok()?;
        let argon = Argon2::new(algorithm, version, params.clone());
        let mut out = vec![0u8; expected.len()];
        derive(&argon, &params, password.as_bytes(), salt, &mut out).ok()?;
        // `Output` compares in constant time.
        Some(Output::new(&out).ok()? == expected)
    })();
    if checked != Some(true) {
        return Verification::Mismatch;
    }
    let current = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() >= MEMORY_KIB && p.t_cost() >= ITERATIONS && p.p_cost() >= PARALLELISM
        });
    if current {
        Verification::Match
    } else {
        Verification::MatchNeedsRehash
    }
}

/// A hash of a random password, verified against when the identifier is unknown, so that an
/// unknown identifier costs the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 16] = rand::random();
        hash(&hex::encode(random)).unwrap_or_default()
    })
}

type HashJob = Box<dyn FnOnce() + Send>;

/// Why a hashing job was not run.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// More jobs are waiting than the threads get through in about a second: the caller is told
    /// at once to come back (503 with `Retry-After`) rather than wait seconds for its turn.
    #[error("the hashing queue is full")]
    Busy,
    /// The hashing threads are gone (they never stop while the process runs).
    #[error("{0}")]
    Stopped(&'static str),
}

/// Hashes one core gets through in a second, rounded down from the ~65 measured at the policy's
/// parameters on this project's machines: the queue holds about a second of work.
const HASHES_PER_CORE_SECOND: usize = 64;

/// Jobs waiting or running right now.
static QUEUED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many jobs may wait or run at once on `cores` hashing threads.
fn queue_bound(cores: usize) -> usize {
    cores.max(1) * HASHES_PER_CORE_SECOND
}

/// Takes a place in the queue, or says it is full. The place is given back when dropped.
fn admit(queued: &std::sync::atomic::AtomicUsize, bound: usize) -> Option<QueuePlace<'_>> {
    use std::sync::atomic::Ordering;
    queued
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < bound).then_some(n + 1)
        })
        .ok()
        .map(|_| QueuePlace(queued))
}

/// A job's place in the queue, from its admission to the end of its run.
struct QueuePlace<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

fn hashing_cores() -> usize {
    std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(2)
}

/// The hashing threads: one per core, started on first use, fed through a channel. Hashes never
/// run on the executor nor on the shared blocking pool: a login storm queues here, other requests
/// keep flowing, and only these few threads ever hold Argon2's 19 MiB blocks (spread over dozens
/// of blocking threads, each thread's allocator arena kept its own copy: hundreds of MiB of RSS).
fn hashing_pool() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<HashJob>> {
    static POOL: OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<HashJob>();
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        for n in 0..hashing_cores() {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    let job = match receiver.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a hashing thread");
            }
        }
        std::sync::Mutex::new(sender)
    })
}

/// Runs a CPU-heavy hashing job on the hashing threads and waits for its result, unless about a
/// second of work is already queued ([`HashingError::Busy`]).
async fn run_bounded<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashingError> {
    let Some(place) = admit(&QUEUED, queue_bound(hashing_cores())) else {
        crate::measures::hash_refused();
        return Err(HashingError::Busy);
    };
    let queued = crate::measures::Queued::enter(crate::measures::HASH_QUEUE);
    let submitted = std::time::Instant::now();
    let span = tracing::Span::current();
    let (reply, result) = tokio::sync::oneshot::channel();
    let boxed: HashJob = Box::new(move || {
        let _in_caller = span.enter();
        crate::measures::hash_waited(submitted.elapsed().as_secs_f64());
        let _ = reply.send(job());
        drop(place);
        drop(queued);
    });
    hashing_pool()
        .lock()
        .map_err(|_| HashingError::Stopped("hashing pool poisoned"))?
        .send(boxed)
        .map_err(|_| HashingError::Stopped("hashing pool stopped"))?;
    result
        .await
        .map_err(|_| HashingError::Stopped("hashing job dropped"))
}

/// [`hash`] off the executor.
pub async fn hash_async(password: String) -> Result<String, HashingError> {
    run_bounded(move || hash(&password))
        .await?
        .map_err(|_| HashingError::Stopped("argon2 refused its own parameters"))
}

/// [`verify`] off the executor; `stored = None` (unknown or inactive account) checks the dummy
/// hash so that the answer takes the same time.
pub async fn verify_async(
    password: String,
    stored: Option<String>,
) -> Result<Verification, HashingError> {
    run_bounded(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            let _ = verify(&password, dummy_hash());
            Verification::Mismatch
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn the_queue_admits_up_to_its_bound_and_frees_a_place_when_a_job_ends() {
        let queued = std::sync::atomic::AtomicUsize::new(0);
        let places: Vec<_> = (0..3).map(|_| admit(&queued, 3)).collect();
        assert!(places.iter().all(Option::is_some));
        assert!(
            admit(&queued, 3).is_none(),
            "a fourth job waits for nothing"
        );
        drop(places);
        assert!(admit(&queued, 3).is_some());
        assert_eq!(queue_bound(2), 128);
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("Secret-2026").expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify("Secret-2026", &stored), Verification::Match);
        assert_eq!(verify("secret-2026", &stored), Verification::Mismatch);
        assert_eq!(verify("Secret-2026", "not a hash"), Verification::Mismatch);
    }

    #[test]
    fn our_hashes_are_standard_phc_strings_that_the_argon2_crate_verifies() {
        let stored = hash("Secret-2026").expect("hash");
        let parsed = PasswordHash::new(&stored).expect("PHC");
        assert!(Argon2::default()
            .verify_password(b"Secret-2026", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"secret-2026", &parsed)
            .is_err());
    }

    #[test]
    fn a_weaker_hash_is_flagged_for_upgrade() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).expect("params"),
        );
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let stored = weak
            .hash_password(b"Secret-2026", &salt)
            .expect("hash")
            .to_string();
        assert_eq!(
            verify("Secret-2026", &stored),
            Verification::MatchNeedsRehash
        );
    }
}
