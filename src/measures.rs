//! Prometheus metrics: what the service records as it works, rendered as Prometheus' text format
//! on `GET /metrics` of the separate listener `METRICS_ADDR` (never on the public port: the
//! figures say how busy each route is and how sign-ins end).
//!
//! The recorder is installed once per process (the `metrics` facade is global), by the first
//! instance started with `METRICS_ADDR`; without it the recording calls cost next to nothing. Each name below is described in [`describe`], which is what
//! `# HELP` shows. Labels hold route patterns and fixed words only, never a path, an address or
//! an identifier: the series stay few and say nothing about anyone.

use std::sync::OnceLock;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "comptexpert_http_requests_total";
pub const HTTP_DURATION: &str = "comptexpert_http_request_duration_seconds";
pub const DB_CONNECTIONS: &str = "comptexpert_db_connections";
pub const DB_CHECKOUTS_WAITING: &str = "comptexpert_db_checkouts_waiting";
pub const DB_CHECKOUT_TIMEOUTS: &str = "comptexpert_db_checkout_timeouts_total";
pub const SQLITE_WRITERS_WAITING: &str = "comptexpert_sqlite_writers_waiting";
pub const HASH_QUEUE: &str = "comptexpert_password_hash_queue";
pub const HASH_WAIT: &str = "comptexpert_password_hash_wait_seconds";
pub const HASH_REFUSED: &str = "comptexpert_password_hash_refused_total";
pub const SIGN_INS: &str = "comptexpert_sign_ins_total";
pub const LOCKOUTS: &str = "comptexpert_sign_in_lockouts_total";
pub const REFRESHES: &str = "comptexpert_refreshes_total";
pub const OUTBOX_EMAILS: &str = "comptexpert_outbox_emails";
pub const OUTBOX_DELIVERIES: &str = "comptexpert_outbox_deliveries_total";
pub const BACKCHANNEL_LOGOUTS: &str = "comptexpert_backchannel_logouts_total";
pub const CAS_LOGOUTS: &str = "comptexpert_cas_logouts_total";
pub const WEBHOOK_EVENTS: &str = "comptexpert_webhook_events_total";
pub const CACHE_LOOKUPS: &str = "comptexpert_cache_lookups_total";

/// Latency buckets, in seconds: from a cached read (under a millisecond) to a request that
/// waited for the database's checkout timeout.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often recorded histogram samples are folded into their buckets.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Installs the recorder (once per process) and returns what renders it.
pub fn install() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
                .map_err(|e| e.to_string())?
                .install_recorder()
                .map_err(|e| e.to_string())?;
            describe();
            // Histograms keep their samples until this drains them into buckets: without it they
            // would grow for as long as no one scrapes.
            let upkept = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkept.run_upkeep();
                })
                .map_err(|e| e.to_string())?;
            Ok(handle)
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by method, route pattern and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer, by route pattern."
    );
    describe_gauge!(
        DB_CONNECTIONS,
        "Database pool connections, by state (in_use, idle)."
    );
    describe_gauge!(
        DB_CHECKOUTS_WAITING,
        "Requests waiting for a database connection."
    );
    describe_counter!(
        DB_CHECKOUT_TIMEOUTS,
        "Waits for a database connection that timed out (answered 503)."
    );
    describe_gauge!(
        SQLITE_WRITERS_WAITING,
        "SQLite writes queued for the one writer."
    );
    describe_gauge!(HASH_QUEUE, "Password hashes queued or running.");
    describe_histogram!(
        HASH_WAIT,
        Unit::Seconds,
        "Time a password hash waited for a hashing thread."
    );
    describe_counter!(
        HASH_REFUSED,
        "Password hashes refused because the queue was full (answered 503)."
    );
    describe_counter!(
        SIGN_INS,
        "Sign-ins, by method (pwd, qr, x509, as in amr) and outcome."
    );
    describe_counter!(
        LOCKOUTS,
        "Identifiers locked after repeated failed sign-ins."
    );
    describe_counter!(
        REFRESHES,
        "Refresh-token uses, by outcome (rotated, refused, reuse_detected)."
    );
    describe_gauge!(
        OUTBOX_EMAILS,
        "Emails in the outbox, by state (pending, sent, dead), read at scrape time."
    );
    describe_counter!(
        OUTBOX_DELIVERIES,
        "Delivery attempts, by outcome (sent, failed and retried later, dead: failed and given up)."
    );
    describe_counter!(
        BACKCHANNEL_LOGOUTS,
        "Back-channel logout notices to relying parties, by outcome (sent, retry, dead)."
    );
    describe_counter!(
        CAS_LOGOUTS,
        "CAS single-logout notices (SAML LogoutRequest) to services, by outcome (sent, retry, dead)."
    );
    describe_counter!(
        WEBHOOK_EVENTS,
        "Verified payment webhook events, by outcome."
    );
    describe_counter!(
        CACHE_LOOKUPS,
        "Cache lookups, by cache (access_token, session, answer, search) and result (hit, miss)."
    );
}

/// A request answered. The handles of each (method, route, status) are kept per thread: looking a
/// series up in the recorder hashes and allocates its labels, a tenth of a cached read's time.
pub fn request(method: &str, route: &str, status: u16, seconds: f64) {
    use std::{cell::RefCell, collections::HashMap};
    type Series = (String, String, u16, metrics::Counter, metrics::Histogram);
    thread_local! {
        static SERIES: RefCell<HashMap<u64, Vec<Series>>> = RefCell::new(HashMap::new());
    }
    let key = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (method, route, status).hash(&mut hasher);
        hasher.finish()
    };
    SERIES.with(|series| {
        let mut series = series.borrow_mut();
        let entries = series.entry(key).or_default();
        let found = entries
            .iter()
            .find(|(m, r, s, _, _)| m == method && r == route && *s == status);
        match found {
            Some((_, _, _, requests, duration)) => {
                requests.increment(1);
                duration.record(seconds);
            }
            None => {
                let requests = counter!(HTTP_REQUESTS, "method" => method.to_owned(), "route" => route.to_owned(), "status" => status.to_string());
                let duration = histogram!(HTTP_DURATION, "route" => route.to_owned());
                requests.increment(1);
                duration.record(seconds);
                entries.push((method.to_owned(), route.to_owned(), status, requests, duration));
            }
        }
    });
}

/// A sign-in ended: `method` as in `amr` (`pwd`, `qr`, `x509`).
pub fn sign_in(method: &'static str, outcome: &'static str) {
    counter!(SIGN_INS, "method" => method, "outcome" => outcome).increment(1);
}

pub fn lockout() {
    counter!(LOCKOUTS).increment(1);
}

pub fn refresh(outcome: &'static str) {
    counter!(REFRESHES, "outcome" => outcome).increment(1);
}

pub fn webhook_event(outcome: &'static str) {
    counter!(WEBHOOK_EVENTS, "outcome" => outcome).increment(1);
}

pub fn outbox_delivery(outcome: &'static str) {
    counter!(OUTBOX_DELIVERIES, "outcome" => outcome).increment(1);
}

pub fn cache_lookup(cache: &'static str, hit: bool) {
    use std::sync::LazyLock;
    // Resolved once, at the first lookup (a request, after `install`): every authenticated read
    // makes two or three.
    static HANDLES: LazyLock<[[metrics::Counter; 2]; 4]> = LazyLock::new(|| {
        ["access_token", "session", "answer", "search"].map(|cache| {
            ["miss", "hit"]
                .map(|result| counter!(CACHE_LOOKUPS, "cache" => cache, "result" => result))
        })
    });
    let index = match cache {
        "access_token" => 0,
        "session" => 1,
        "answer" => 2,
        "search" => 3,
        other => {
            counter!(CACHE_LOOKUPS, "cache" => other, "result" => if hit { "hit" } else { "miss" })
                .increment(1);
            return;
        }
    };
    HANDLES[index][usize::from(hit)].increment(1);
}

pub fn db_checkout_timeout() {
    counter!(DB_CHECKOUT_TIMEOUTS).increment(1);
}

/// Counts one more in a queue (`name`, a gauge) until dropped.
pub struct Queued(&'static str);

impl Queued {
    pub fn enter(name: &'static str) -> Self {
        gauge!(name).increment(1.0);
        Queued(name)
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        gauge!(self.0).decrement(1.0);
    }
}

pub fn hash_waited(seconds: f64) {
    histogram!(HASH_WAIT).record(seconds);
}

pub fn hash_refused() {
    counter!(HASH_REFUSED).increment(1);
}

/// The figures read at scrape time rather than counted as they change.
pub fn scraped(in_use: u32, idle: u32, outbox: Option<crate::db::outbox::OutboxCounts>) {
    gauge!(DB_CONNECTIONS, "state" => "in_use").set(f64::from(in_use));
    gauge!(DB_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    if let Some(counts) = outbox {
        gauge!(OUTBOX_EMAILS, "state" => "pending").set(counts.pending as f64);
        gauge!(OUTBOX_EMAILS, "state" => "sent").set(counts.sent as f64);
        gauge!(OUTBOX_EMAILS, "state" => "dead").set(counts.dead as f64);
    }
}
