//! Configuration read from the environment, with safe defaults for a newcomer's laptop.
//!
//! Secrets (database passwords inside URLs, SMTP credentials) never reach logs: the `Debug`
//! implementation of [`Settings`] redacts them.

use std::{fmt, net::SocketAddr, path::PathBuf};

use crate::domain::iban::Iban;

/// Everything the service needs to start, resolved once at boot.
#[derive(Clone)]
pub struct Settings {
    /// `sqlite://path`, a plain path, or `postgres://…`.
    pub database_url: String,
    /// Address the HTTP server listens on; port 0 picks a free port (tests).
    pub bind_addr: SocketAddr,
    /// SMTP server URL understood by lettre (`smtp://host:port`, `smtps://…`); `None` writes `.eml` files.
    pub smtp_url: Option<String>,
    /// Folder that receives `.eml` files when no SMTP server is configured.
    pub mail_dir: PathBuf,
    /// The `From:` header of every email.
    pub mail_from: String,
    /// Base URL of the web front end, used to build the links in emails.
    pub frontend_url: String,
    /// PEM file holding the Ed25519 signing key(s) for access tokens; generated when absent.
    pub jwt_key_file: PathBuf,
    /// PEM file holding the RSA key(s) that sign OpenID Connect ID tokens (RS256); generated
    /// when absent.
    pub id_token_key_file: PathBuf,
    /// The front end's login page, where `/oauth2/authorize` and `/cas/login` send a browser
    /// that must sign in, with `?login_request=…` (default: `FRONTEND_URL` + `/connexion`).
    pub login_ui_url: String,
    /// How long a CAS service ticket may be validated after it is issued (`CAS_TICKET_SECONDS`,
    /// 10 s by default, at most the five minutes CAS 3.0 §3.1.1 recommends as a ceiling).
    pub cas_ticket_lifetime: chrono::Duration,
    /// PEM trust anchors for Signexpert certificates.
    pub signexpert_ca_file: Option<PathBuf>,
    /// Certificate revocation lists (PEM or DER) checked for Signexpert certificates; re-read
    /// when the file changes.
    pub signexpert_crl_file: Option<PathBuf>,
    /// Origins allowed by CORS; empty means no cross-origin browser access.
    pub cors_allowed_origins: Vec<String>,
    /// Minimum password length; the guide's floor is 6 and a lower value is raised to it.
    pub password_min_length: usize,
    /// Issuer (`iss`) of access tokens.
    pub jwt_issuer: String,
    /// Audience (`aud`) of access tokens.
    pub jwt_audience: String,
    /// How often the outbox dispatcher looks for mail to send.
    pub mail_poll_interval: std::time::Duration,
    /// Delay before the first retry of a failed email; it doubles at each failure, up to an hour.
    pub mail_retry_base: std::time::Duration,
    /// How long a request waits for a database connection before its 503: short, so that an
    /// outage answers at once (with `Retry-After`) instead of holding every caller.
    pub db_checkout_timeout: std::time::Duration,
    /// Per-address and per-target request limits (429). Turned off only for load tests from a
    /// single address (`RATE_LIMITS=off`); the per-identifier sign-in lock stays on regardless.
    pub request_rate_limits: bool,
    /// Key of the HMAC-SHA256 signatures of payment webhooks; `None` refuses every webhook.
    pub payment_webhook_secret: Option<String>,
    /// Provider of card and direct-debit payments: `none` (the default: transfers only) or `test`
    /// (shipped for tests and demos; moves no money).
    pub payment_provider: String,
    /// The account payers transfer their contributions to.
    pub transfer_account: TransferAccount,
    /// How long a pending payment of each method reserves what it pays before it expires.
    pub payment_expiry: PaymentExpiry,
    /// Reverse proxies whose forwarding header gives the client's address (`TRUSTED_PROXIES`,
    /// `TRUSTED_PROXY_HEADER`); none by default.
    pub trusted_proxies: crate::proxies::TrustedProxies,
    /// The address clients reach this service at (`PUBLIC_URL`, through its proxy), when known:
    /// `https://…` turns on `Strict-Transport-Security`.
    pub public_url: Option<String>,
    /// Where `GET /metrics` (Prometheus) is served (`METRICS_ADDR`), apart from the API; unset
    /// serves no metrics.
    pub metrics_addr: Option<SocketAddr>,
    /// The absolute lifetime of sessions, besides the sliding one of their refresh tokens.
    pub session_lifetimes: SessionLifetimes,
    /// Delivery attempts after which an email is given up (dead), when no attempt was refused
    /// for good first (`MAIL_MAX_ATTEMPTS`).
    pub mail_max_attempts: i32,
    /// How often an instance tries to run the maintenance task (`MAINTENANCE_INTERVAL_MINUTES`);
    /// one instance at a time runs it, under a lease.
    pub maintenance_interval: std::time::Duration,
}

/// How long a session may last whatever its use. Each refresh pushes a session's expiry back by
/// its sliding lifetime (30 days with "Garder ma session active", 12 hours without), never past
/// its opening plus the cap of its kind: after that, whoever holds it signs in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    /// The cap with "Garder ma session active" (`SESSION_MAX_DAYS_KEPT_ACTIVE`).
    pub kept_active_max: chrono::Duration,
    /// The cap without it (`SESSION_MAX_HOURS`).
    pub short_max: chrono::Duration,
}

impl SessionLifetimes {
    /// Ninety days kept active (three sliding months), a day otherwise (a working day's session
    /// refreshed into the evening, not into the next week).
    pub const DEFAULT: Self = Self {
        kept_active_max: chrono::Duration::days(90),
        short_max: chrono::Duration::hours(24),
    };

    /// The cap of a session opened with or without "Garder ma session active".
    pub fn max(&self, keep_active: bool) -> chrono::Duration {
        if keep_active {
            self.kept_active_max
        } else {
            self.short_max
        }
    }

    fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let number = |name: &str, range: std::ops::RangeInclusive<i64>| {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse::<i64>()
                        .ok()
                        .filter(|n| range.contains(n))
                        .ok_or_else(|| {
                            format!(
                                "{name}: {v:?} is not a whole number from {} to {}",
                                range.start(),
                                range.end()
                            )
                        })
                })
                .transpose()
        };
        Ok(Self {
            kept_active_max: number("SESSION_MAX_DAYS_KEPT_ACTIVE", 1..=366)?
                .map(chrono::Duration::days)
                .unwrap_or(Self::DEFAULT.kept_active_max),
            short_max: number("SESSION_MAX_HOURS", 1..=24 * 31)?
                .map(chrono::Duration::hours)
                .unwrap_or(Self::DEFAULT.short_max),
        })
    }
}

/// Attempts after which an email is dead by default: with the backoff doubling from 5 s up to an
/// hour, about 21 hours of trying.
pub const DEFAULT_MAIL_MAX_ATTEMPTS: i32 = 30;

/// How long a payment may stay pending, per method (`PAYMENT_EXPIRY_HOURS_TRANSFER`,
/// `…_CARD`, `…_DIRECT_DEBIT`): past it the sweeper fails it and what it reserved may be paid
/// again, by any method. A transfer takes days to be sent and arrive; a card checkout is over in
/// minutes; a direct debit is collected within the SEPA delays.
#[derive(Debug, Clone, Copy)]
pub struct PaymentExpiry {
    pub transfer: chrono::Duration,
    pub card: chrono::Duration,
    pub direct_debit: chrono::Duration,
}

impl PaymentExpiry {
    /// Thirty days for a transfer, two hours for a card, fourteen days for a direct debit.
    pub const DEFAULT: Self = Self {
        transfer: chrono::Duration::hours(30 * 24),
        card: chrono::Duration::hours(2),
        direct_debit: chrono::Duration::hours(14 * 24),
    };

    /// The delay of `method`.
    pub fn of(&self, method: crate::payments::provider::PaymentMethod) -> chrono::Duration {
        use crate::payments::provider::PaymentMethod;
        match method {
            PaymentMethod::Transfer => self.transfer,
            PaymentMethod::Card => self.card,
            PaymentMethod::DirectDebit => self.direct_debit,
        }
    }

    fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let hours = |name: &str, default: chrono::Duration| match var(name) {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|h| (1..=24 * 366).contains(h))
                .map(chrono::Duration::hours)
                .ok_or_else(|| format!("{name}: {v:?} is not a number of hours from 1 to 8784")),
            None => Ok(default),
        };
        Ok(Self {
            transfer: hours("PAYMENT_EXPIRY_HOURS_TRANSFER", Self::DEFAULT.transfer)?,
            card: hours("PAYMENT_EXPIRY_HOURS_CARD", Self::DEFAULT.card)?,
            direct_debit: hours(
                "PAYMENT_EXPIRY_HOURS_DIRECT_DEBIT",
                Self::DEFAULT.direct_debit,
            )?,
        })
    }
}

/// The bank account of the transfer instructions (`TRANSFER_IBAN`, `TRANSFER_BIC`,
/// `TRANSFER_BENEFICIARY`).
#[derive(Debug, Clone)]
pub struct TransferAccount {
    pub iban: Iban,
    pub bic: String,
    /// The account holder's name, as the payer's bank checks it.
    pub beneficiary: String,
    /// True while any of the three is the demo's default: a deployment that takes real payments
    /// must set all three (a warning is logged at start).
    pub is_demo: bool,
}

/// The demo's account: a well-formed IBAN of a bank code that no French bank uses, so that a
/// deployment that forgot to configure its own cannot send anyone's money to a real account.
pub const DEMO_TRANSFER_IBAN: &str = "FR76 9999 9000 0000 0000 0000 033";
/// The demo's BIC (no such bank).
pub const DEMO_TRANSFER_BIC: &str = "DEMOFRPPXXX";
/// The demo's beneficiary, which says what it is.
pub const DEMO_TRANSFER_BENEFICIARY: &str =
    "Ordre des experts-comptables - compte de démonstration";

impl TransferAccount {
    fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let (iban, bic, beneficiary) = (
            var("TRANSFER_IBAN"),
            var("TRANSFER_BIC"),
            var("TRANSFER_BENEFICIARY"),
        );
        let is_demo = iban.is_none() || bic.is_none() || beneficiary.is_none();
        let iban = Iban::parse(iban.as_deref().unwrap_or(DEMO_TRANSFER_IBAN))
            .map_err(|e| format!("TRANSFER_IBAN: {e}"))?;
        let bic = bic
            .unwrap_or_else(|| DEMO_TRANSFER_BIC.into())
            .trim()
            .to_ascii_uppercase();
        let bic_well_formed = matches!(bic.len(), 8 | 11)
            && bic.chars().all(|c| c.is_ascii_alphanumeric())
            && bic[..6].chars().all(|c| c.is_ascii_alphabetic());
        if !bic_well_formed {
            return Err(format!(
                "TRANSFER_BIC: {bic:?} is not a BIC (8 or 11 characters)"
            ));
        }
        Ok(Self {
            iban,
            bic,
            beneficiary: beneficiary
                .unwrap_or_else(|| DEMO_TRANSFER_BENEFICIARY.into())
                .trim()
                .to_owned(),
            is_demo,
        })
    }
}

/// The guide's password floor: nobody may configure a weaker policy.
pub const PASSWORD_MIN_LENGTH_FLOOR: usize = 6;

impl Settings {
    /// True when clients reach the service over HTTPS (`PUBLIC_URL`).
    pub fn serves_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// The OpenID Connect and CAS issuer: `PUBLIC_URL`, else the bound address over http (a
    /// machine of its own, as the demo).
    pub fn issuer(&self) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", self.bind_addr),
        }
    }

    /// Reads the environment (see the README's configuration table).
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bind_addr = var("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .map_err(|e| format!("BIND_ADDR: {e}"))?;
        let password_min_length = match var("PASSWORD_MIN_LENGTH") {
            Some(v) => v
                .parse::<usize>()
                .map_err(|e| format!("PASSWORD_MIN_LENGTH: {e}"))?
                .max(PASSWORD_MIN_LENGTH_FLOOR),
            None => PASSWORD_MIN_LENGTH_FLOOR,
        };
        let mail_poll_ms = match var("MAIL_POLL_INTERVAL_MS") {
            Some(v) => v
                .parse::<u64>()
                .map_err(|e| format!("MAIL_POLL_INTERVAL_MS: {e}"))?,
            None => 1000,
        };
        let mail_retry_base_ms = match var("MAIL_RETRY_BASE_MS") {
            Some(v) => v
                .parse::<u64>()
                .map_err(|e| format!("MAIL_RETRY_BASE_MS: {e}"))?,
            None => 5000,
        };
        let db_checkout_timeout_ms = match var("DB_CHECKOUT_TIMEOUT_MS") {
            Some(v) => v.parse::<u64>().ok().filter(|ms| *ms > 0).ok_or_else(|| {
                format!("DB_CHECKOUT_TIMEOUT_MS: {v:?} is not a positive number of milliseconds")
            })?,
            None => crate::db::DEFAULT_CHECKOUT_TIMEOUT.as_millis() as u64,
        };
        let cas_ticket_seconds = match var("CAS_TICKET_SECONDS") {
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|s| (1..=300).contains(s))
                .ok_or_else(|| format!("CAS_TICKET_SECONDS: {v:?} is not 1 to 300 seconds"))?,
            None => 10,
        };
        Ok(Self {
            cas_ticket_lifetime: chrono::Duration::seconds(cas_ticket_seconds),
            db_checkout_timeout: std::time::Duration::from_millis(db_checkout_timeout_ms),
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://var/comptexpert.db".into()),
            bind_addr,
            smtp_url: var("SMTP_URL"),
            mail_dir: var("MAIL_DIR").unwrap_or_else(|| "var/mail".into()).into(),
            mail_from: var("MAIL_FROM")
                .unwrap_or_else(|| "ComptExpert <no-reply@comptexpert.localhost>".into()),
            frontend_url: var("FRONTEND_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".into())
                .trim_end_matches('/')
                .to_owned(),
            jwt_key_file: var("JWT_KEY_FILE")
                .unwrap_or_else(|| "var/jwt-keys.pem".into())
                .into(),
            id_token_key_file: var("ID_TOKEN_KEY_FILE")
                .unwrap_or_else(|| "var/id-token-keys.pem".into())
                .into(),
            login_ui_url: match var("LOGIN_UI_URL") {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => url,
                Some(url) => {
                    return Err(format!(
                        "LOGIN_UI_URL: {url:?} is not an http:// or https:// address"
                    ))
                }
                None => format!(
                    "{}/connexion",
                    var("FRONTEND_URL")
                        .unwrap_or_else(|| "http://127.0.0.1:8080".into())
                        .trim_end_matches('/')
                ),
            },
            signexpert_ca_file: var("SIGNEXPERT_CA_FILE").map(PathBuf::from),
            signexpert_crl_file: var("SIGNEXPERT_CRL_FILE").map(PathBuf::from),
            cors_allowed_origins: var("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            password_min_length,
            jwt_issuer: var("JWT_ISSUER")
                .unwrap_or_else(|| "https://comptexpert.experts-comptables.fr".into()),
            jwt_audience: var("JWT_AUDIENCE").unwrap_or_else(|| "comptexpert".into()),
            mail_poll_interval: std::time::Duration::from_millis(mail_poll_ms),
            mail_retry_base: std::time::Duration::from_millis(mail_retry_base_ms),
            request_rate_limits: !var("RATE_LIMITS").is_some_and(|v| v.eq_ignore_ascii_case("off")),
            payment_webhook_secret: var("PAYMENT_WEBHOOK_SECRET"),
            payment_provider: var("PAYMENT_PROVIDER").unwrap_or_else(|| "none".into()),
            transfer_account: TransferAccount::from_env(var)?,
            payment_expiry: PaymentExpiry::from_env(var)?,
            trusted_proxies: trusted_proxies(var)?,
            metrics_addr: var("METRICS_ADDR")
                .map(|v| v.parse().map_err(|e| format!("METRICS_ADDR: {e}")))
                .transpose()?,
            session_lifetimes: SessionLifetimes::from_env(var)?,
            mail_max_attempts: match var("MAIL_MAX_ATTEMPTS") {
                Some(v) => v
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| {
                        format!("MAIL_MAX_ATTEMPTS: {v:?} is not a whole number from 1 to 1000")
                    })?,
                None => DEFAULT_MAIL_MAX_ATTEMPTS,
            },
            maintenance_interval: match var("MAINTENANCE_INTERVAL_MINUTES") {
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=7 * 24 * 60).contains(n))
                    .map(|minutes| std::time::Duration::from_secs(minutes * 60))
                    .ok_or_else(|| {
                        format!(
                            "MAINTENANCE_INTERVAL_MINUTES: {v:?} is not a whole number from 1 to 10080"
                        )
                    })?,
                None => std::time::Duration::from_secs(3600),
            },
            public_url: match var("PUBLIC_URL") {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    Some(url.trim_end_matches('/').to_owned())
                }
                Some(url) => {
                    return Err(format!(
                        "PUBLIC_URL: {url:?} is not an http:// or https:// address"
                    ))
                }
                None => None,
            },
        })
    }
}

/// `TRUSTED_PROXIES` (addresses and CIDR ranges, comma-separated) and the header they write,
/// `TRUSTED_PROXY_HEADER` (`X-Forwarded-For`, the default, or `Forwarded`).
fn trusted_proxies(
    var: impl Fn(&str) -> Option<String>,
) -> Result<crate::proxies::TrustedProxies, String> {
    let header = match var("TRUSTED_PROXY_HEADER") {
        Some(name) => name
            .parse()
            .map_err(|e| format!("TRUSTED_PROXY_HEADER: {e}"))?,
        None => crate::proxies::ForwardedHeader::XForwardedFor,
    };
    crate::proxies::TrustedProxies::parse(&var("TRUSTED_PROXIES").unwrap_or_default(), header)
        .map_err(|e| format!("TRUSTED_PROXIES: {e}"))
}

/// Hides the password of a `scheme://user:password@host/…` URL.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((credentials, host)) = rest.rsplit_once('@') {
            let user = credentials.split(':').next().unwrap_or_default();
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_owned()
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind_addr", &self.bind_addr)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_dir", &self.mail_dir)
            .field("mail_poll_interval", &self.mail_poll_interval)
            .field("mail_retry_base", &self.mail_retry_base)
            .field("db_checkout_timeout", &self.db_checkout_timeout)
            .field("request_rate_limits", &self.request_rate_limits)
            .field("payment_expiry", &self.payment_expiry)
            .field("frontend_url", &self.frontend_url)
            .field("jwt_key_file", &self.jwt_key_file)
            .field("id_token_key_file", &self.id_token_key_file)
            .field("login_ui_url", &self.login_ui_url)
            .field("cas_ticket_lifetime", &self.cas_ticket_lifetime)
            .field("signexpert_ca_file", &self.signexpert_ca_file)
            .field("signexpert_crl_file", &self.signexpert_crl_file)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("password_min_length", &self.password_min_length)
            .field(
                "payment_webhook_secret",
                &self.payment_webhook_secret.as_ref().map(|_| "***"),
            )
            .field("payment_provider", &self.payment_provider)
            .field("transfer_account", &self.transfer_account)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("public_url", &self.public_url)
            .field("metrics_addr", &self.metrics_addr)
            .field("session_lifetimes", &self.session_lifetimes)
            .field("mail_max_attempts", &self.mail_max_attempts)
            .field("maintenance_interval", &self.maintenance_interval)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An environment of `pairs` only.
    fn env(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<String> + Copy {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn redacts_the_password_of_a_database_url() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/ce"),
            "postgres://app:***@db:5432/ce"
        );
        assert_eq!(redact_url("sqlite://var/ce.db"), "sqlite://var/ce.db");
    }

    #[test]
    fn each_method_has_its_expiry_delay_in_hours_and_nonsense_is_refused() {
        let default = PaymentExpiry::from_env(env(&[])).expect("defaults");
        assert_eq!(default.transfer, chrono::Duration::days(30));
        assert_eq!(default.card, chrono::Duration::hours(2));
        assert_eq!(default.direct_debit, chrono::Duration::days(14));
        let set = PaymentExpiry::from_env(env(&[
            ("PAYMENT_EXPIRY_HOURS_TRANSFER", "240"),
            ("PAYMENT_EXPIRY_HOURS_CARD", " 1 "),
        ]))
        .expect("configured");
        assert_eq!(
            set.of(crate::payments::provider::PaymentMethod::Transfer),
            chrono::Duration::hours(240)
        );
        assert_eq!(
            set.of(crate::payments::provider::PaymentMethod::Card),
            chrono::Duration::hours(1)
        );
        assert_eq!(set.direct_debit, default.direct_debit);
        for wrong in ["0", "-3", "two", "9000"] {
            let pairs: &'static [(&'static str, &'static str)] =
                Box::leak(Box::new([("PAYMENT_EXPIRY_HOURS_CARD", wrong)]));
            let error = PaymentExpiry::from_env(env(pairs)).expect_err(wrong);
            assert!(error.starts_with("PAYMENT_EXPIRY_HOURS_CARD"), "{error}");
        }
    }

    #[test]
    fn sessions_last_ninety_days_kept_active_and_a_day_otherwise_unless_configured() {
        let default = SessionLifetimes::from_env(env(&[])).expect("defaults");
        assert_eq!(default.max(true), chrono::Duration::days(90));
        assert_eq!(default.max(false), chrono::Duration::hours(24));
        let set = SessionLifetimes::from_env(env(&[
            ("SESSION_MAX_DAYS_KEPT_ACTIVE", "45"),
            ("SESSION_MAX_HOURS", " 8 "),
        ]))
        .expect("configured");
        assert_eq!(set.max(true), chrono::Duration::days(45));
        assert_eq!(set.max(false), chrono::Duration::hours(8));
        for wrong in ["0", "-1", "ninety", "400"] {
            let pairs: &'static [(&'static str, &'static str)] =
                Box::leak(Box::new([("SESSION_MAX_DAYS_KEPT_ACTIVE", wrong)]));
            let error = SessionLifetimes::from_env(env(pairs)).expect_err(wrong);
            assert!(error.starts_with("SESSION_MAX_DAYS_KEPT_ACTIVE"), "{error}");
        }
    }

    #[test]
    fn the_transfer_account_is_the_demos_until_all_three_are_set_and_a_typo_is_refused() {
        let demo = TransferAccount::from_env(env(&[])).expect("demo account");
        assert!(demo.is_demo);
        assert_eq!(demo.iban.to_string(), DEMO_TRANSFER_IBAN);
        let own = TransferAccount::from_env(env(&[
            ("TRANSFER_IBAN", "FR7630006000011234567890189"),
            ("TRANSFER_BIC", "agrifrpp"),
            ("TRANSFER_BENEFICIARY", "CROEC Paris"),
        ]))
        .expect("configured account");
        assert!(!own.is_demo);
        assert_eq!(own.bic, "AGRIFRPP");
        assert!(TransferAccount::from_env(env(&[(
            "TRANSFER_IBAN",
            "FR7630006000011234567890188"
        )]))
        .is_err());
        assert!(TransferAccount::from_env(env(&[("TRANSFER_BIC", "AGRI")])).is_err());
    }
}
