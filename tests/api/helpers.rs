//! The black-box harness: the real application on port 0, an isolated database per test,
//! one method per endpoint.

use std::path::PathBuf;

use awc::http::{header, StatusCode};
use comptexpert::{config::Settings, Application};
use serde_json::Value;

/// Name of the variable that points the suite at a PostgreSQL database (see the README).
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// The `PAYMENT_WEBHOOK_SECRET` of test applications.
pub const WEBHOOK_SECRET: &str = "whsec-test-0123456789";

/// A running application and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub mail_dir: PathBuf,
    pub database_url: String,
    /// `http://127.0.0.1:<port>` of `/metrics`, when the settings gave a `METRICS_ADDR`.
    pub metrics_address: Option<String>,
    /// The running application's shared state: tests of a use case (`comptexpert::flows`) call it
    /// directly with this, on the same database as the HTTP requests.
    pub context: comptexpert::context::ApiContext,
    // Keeps the SQLite file and the mail folder alive for the test's duration.
    _dir: tempfile::TempDir,
    // On PostgreSQL, the test's schema, dropped with the app.
    _schema: Option<TestSchema>,
}

/// A PostgreSQL schema made for one test, dropped (with everything in it) when this is dropped.
pub struct TestSchema {
    base_url: String,
    name: String,
}

impl TestSchema {
    /// The schema a test database URL selects (`options=-csearch_path=…`), when it is PostgreSQL.
    pub fn of(database_url: &str) -> Option<Self> {
        let base = std::env::var(TEST_DATABASE_URL)
            .ok()
            .filter(|v| !v.is_empty())?;
        let name = database_url
            .split_once("options=-csearch_path%3D")?
            .1
            .split('&')
            .next()?
            .to_owned();
        Some(Self {
            base_url: base,
            name,
        })
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        use diesel::{Connection, PgConnection, RunQueryDsl};
        // The server's pooled connections hold no locks between requests; a request still running
        // would make the drop wait, hence the bound rather than a test that hangs.
        let dropped = PgConnection::establish(&self.base_url).and_then(|mut conn| {
            diesel::sql_query("SET lock_timeout = '10s'")
                .execute(&mut conn)
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            diesel::sql_query(format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
                .execute(&mut conn)
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
        });
        if let Err(error) = dropped {
            eprintln!("test schema {} not dropped: {error}", self.name);
        }
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON; panics with the status and the body when it is not JSON, so that a test
    /// never compares fields of a `Null` it mistook for an answer.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "the body of the {} answer is not JSON ({error}): {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts the answer has no body (a 204, a redirect).
    #[track_caller]
    pub fn assert_empty(&self) {
        assert!(
            self.body.is_empty(),
            "expected no body with {}, got {:?}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts the response is a problem with the given status and code, and returns its body.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status, body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "a problem must be application/problem+json"
        );
        let body = self.json();
        assert_eq!(body["code"], code, "unexpected problem: {body}");
        assert_eq!(body["status"], status);
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(body["type"].as_str().is_some_and(|t| t.ends_with(code)));
        body
    }
}

/// A database URL for one test: a temporary SQLite file, or a fresh schema in the PostgreSQL
/// database named by `TEST_DATABASE_URL`.
pub fn isolated_database(dir: &std::path::Path) -> String {
    match std::env::var(TEST_DATABASE_URL)
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(base) => {
            use diesel::{Connection, PgConnection, RunQueryDsl};
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::establish(&base).unwrap_or_else(|e| {
                panic!("{TEST_DATABASE_URL} is set but PostgreSQL is unreachable: {e}")
            });
            diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .expect("create the test schema");
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}options=-csearch_path%3D{schema}")
        }
        None => format!("sqlite://{}", dir.join("test.db").display()),
    }
}

/// The ID-token RSA key of this test process, generated once.
pub fn shared_id_token_key() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| comptexpert::oidc::keys::generate_pem().expect("an RSA key"))
}

/// Settings for a test: port 0, isolated database and mail folder.
pub fn test_settings(dir: &std::path::Path) -> Settings {
    let mut settings = Settings::from_env().expect("settings");
    settings.database_url = isolated_database(dir);
    settings.bind_addr = "127.0.0.1:0".parse().expect("address");
    settings.smtp_url = None;
    settings.mail_dir = dir.join("mail");
    settings.jwt_key_file = dir.join("jwt-keys.pem");
    // One RSA key per test process: generating one per application would cost each test.
    settings.id_token_key_file = dir.join("id-token-keys.pem");
    std::fs::write(&settings.id_token_key_file, shared_id_token_key()).expect("ID token key");
    settings.login_ui_url = "https://comptexpert.test/connexion".into();
    settings.frontend_url = "https://comptexpert.test".into();
    settings.cors_allowed_origins = vec!["https://app.comptexpert.test".into()];
    settings.mail_poll_interval = std::time::Duration::from_millis(50);
    // Retries come quickly in tests; stored instants still round each wait up to the second.
    settings.mail_retry_base = std::time::Duration::from_millis(50);
    settings.payment_webhook_secret = Some(WEBHOOK_SECRET.into());
    settings.payment_provider = "test".into();
    settings
}

/// Starts the application with the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the application after `customise` has adjusted the settings.
pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    comptexpert::telemetry::init_for_tests();
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = test_settings(dir.path());
    let made = TestSchema::of(&settings.database_url);
    customise(&mut settings);
    // An app pointed at another test's database leaves that schema to its owner; the unused one
    // made for it goes at once.
    let schema = made.filter(|made| settings.database_url.contains(&made.name));
    let mail_dir = settings.mail_dir.clone();
    let database_url = settings.database_url.clone();
    let app = Application::build(settings)
        .await
        .expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let context = app.context().clone();
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::builder().disable_redirects().finish();
    TestApp {
        address,
        client,
        mail_dir,
        _schema: schema,
        database_url,
        metrics_address,
        context,
        _dir: dir,
    }
}

impl TestApp {
    /// Sends a request and reads the whole response.
    pub async fn send(&self, request: awc::ClientRequest, body: Option<Value>) -> TestResponse {
        let result = match body {
            Some(json) => request.send_json(&json).await,
            None => request.send().await,
        };
        let mut response = result.expect("the request reaches the server");
        let body = response
            .body()
            .limit(8 * 1024 * 1024)
            .await
            .expect("the body is readable")
            .to_vec();
        TestResponse {
            status: response.status(),
            headers: response.headers().clone(),
            body,
        }
    }

    /// A request builder for `method` on `path`.
    pub fn request(&self, method: awc::http::Method, path: &str) -> awc::ClientRequest {
        self.client
            .request(method, format!("{}{}", self.address, path))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(self.request(awc::http::Method::GET, path), None)
            .await
    }

    /// `GET path` with `Accept-Language`.
    pub async fn get_in(&self, path: &str, lang: &str) -> TestResponse {
        self.send(
            self.request(awc::http::Method::GET, path)
                .insert_header((header::ACCEPT_LANGUAGE, lang)),
            None,
        )
        .await
    }

    /// `POST path` with a JSON body.
    #[allow(
        dead_code,
        reason = "harness for the POST endpoints; `expect` would fail once they use it"
    )]
    pub async fn post_json(&self, path: &str, body: Value) -> TestResponse {
        self.send(self.request(awc::http::Method::POST, path), Some(body))
            .await
    }

    /// `POST path` with a raw body and content type.
    #[allow(
        dead_code,
        reason = "harness for the POST endpoints; `expect` would fail once they use it"
    )]
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> TestResponse {
        let request = self
            .request(awc::http::Method::POST, path)
            .insert_header((header::CONTENT_TYPE, content_type));
        let mut response = request
            .send_body(body.into())
            .await
            .expect("the request reaches the server");
        let body = response
            .body()
            .limit(8 * 1024 * 1024)
            .await
            .expect("the body is readable")
            .to_vec();
        TestResponse {
            status: response.status(),
            headers: response.headers().clone(),
            body,
        }
    }

    /// The outbox rows (sent or not) addressed to `recipient`, compared case-insensitively, oldest
    /// first. The outbox is written in the transaction of the change that queues an email, so once
    /// a request has been answered, no row means no email will ever be sent for it.
    pub fn outbox_rows_to(&self, recipient: &str) -> Vec<comptexpert::db::outbox::OutboxEmail> {
        use comptexpert::db::{outbox::OutboxEmail, schema::outbox_emails};
        use diesel::prelude::*;
        let pool = comptexpert::db::build_pool(&self.database_url).expect("pool");
        let mut conn = pool.get().expect("a connection");
        let recipient = recipient.to_lowercase();
        outbox_emails::table
            .order((outbox_emails::created_at, outbox_emails::id))
            .select(OutboxEmail::as_select())
            .load(&mut *conn)
            .expect("the outbox is readable")
            .into_iter()
            .filter(|row| row.recipient.to_lowercase() == recipient)
            .collect()
    }

    /// Moves every queued email `minutes` into the past, as if the time had passed since.
    pub fn age_outbox(&self, minutes: i64) {
        use comptexpert::db::schema::outbox_emails;
        use diesel::prelude::*;
        let pool = comptexpert::db::build_pool(&self.database_url).expect("pool");
        let mut conn = pool.get().expect("a connection");
        let rows = outbox_emails::table
            .select((outbox_emails::id, outbox_emails::created_at))
            .load::<(String, chrono::NaiveDateTime)>(&mut *conn)
            .expect("the outbox is readable");
        for (id, created_at) in rows {
            diesel::update(outbox_emails::table.find(id))
                .set(outbox_emails::created_at.eq(created_at - chrono::Duration::minutes(minutes)))
                .execute(&mut *conn)
                .expect("the outbox is writable");
        }
    }

    /// `GET /health`.
    pub async fn health(&self) -> TestResponse {
        self.get("/health").await
    }

    /// `GET /ready`.
    pub async fn ready(&self) -> TestResponse {
        self.get("/ready").await
    }

    /// `GET /v1/qualities`.
    pub async fn qualities(&self) -> TestResponse {
        self.get("/v1/qualities").await
    }

    /// `GET /v1/regions`.
    pub async fn regions(&self) -> TestResponse {
        self.get("/v1/regions").await
    }
}
