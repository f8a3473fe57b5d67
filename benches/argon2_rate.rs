//! The sign-in baseline of the benchmark: raw Argon2id hashes per second on every core, with the
//! service's own parameters (`comptexpert::auth::password`).

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let cores = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(2);
    let stored = comptexpert::auth::password::hash("Bench-2026!").unwrap_or_default();
    let done = AtomicU64::new(0);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..cores {
            scope.spawn(|| {
                while Instant::now() < deadline {
                    let _ = comptexpert::auth::password::verify("Bench-2026!", &stored);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("{{\"cores\": {cores}, \"hashes_per_second\": {rate:.1}}}");
}
