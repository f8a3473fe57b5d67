//! Structured logs: JSON lines when `LOG_FORMAT=json`, readable lines otherwise; `RUST_LOG` filters.

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber once (later calls are ignored, which tests rely on).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// For the operator commands: the same logs on standard error, so that standard output holds
/// only what the command prints.
pub fn init_on_stderr() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Quiet logs for tests unless `TEST_LOG` is set (then the usual `RUST_LOG` filter applies).
pub fn init_for_tests() {
    if std::env::var("TEST_LOG").is_ok() {
        init();
    }
}
