//! ComptExpert API: the single account of the Ordre des experts-comptables and its
//! contributions portal. `main.rs` only parses the command line; everything lives here.

pub mod auth;
pub mod cas;
pub mod config;
pub mod context;
pub mod contributions;
pub mod db;
pub mod documents;
pub mod domain;
pub mod error;
pub mod flows;
pub mod front_end;
pub mod i18n;
pub mod idempotency;
pub mod limits;
pub mod mail;
pub mod measures;
pub mod middleware;
pub mod oidc;
pub mod openapi;
pub mod payments;
pub mod proxies;
pub mod read_cache;
pub mod register;
pub mod registration;
pub mod routes;
pub mod search_cache;
pub mod telemetry;

use std::{net::TcpListener, sync::Arc};

use actix_cors::Cors;
use actix_web::{dev::Server, http, middleware::from_fn, web, App, HttpServer};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    config::Settings,
    context::{ApiContext, Db},
    routes::fallback::{self, RouteTable},
};

/// A built application: bound to its port, ready to run.
pub struct Application {
    port: u16,
    /// The port of `/metrics`, when `METRICS_ADDR` is set.
    metrics_port: Option<u16>,
    server: Server,
    context: ApiContext,
    /// The outbox dispatcher, stopped while the runtime still runs: its SMTP pool closes its
    /// connections on the runtime as it drops, and dropping it after the runtime panicked.
    dispatcher: actix_web::rt::task::JoinHandle<()>,
}

impl Application {
    /// Connects to the database, applies migrations, binds the port (0 picks a free one).
    pub async fn build(settings: Settings) -> Result<Self, String> {
        let context = Self::prepare(settings).await?;
        Self::serve(context).await
    }

    /// What the handlers share, on a migrated database, without serving anything: how the server
    /// starts (it applies the pending migrations and creates the key file when missing).
    pub async fn prepare(settings: Settings) -> Result<ApiContext, String> {
        Self::context_for(settings, true).await
    }

    /// The same for the operator commands (`comptexpert account …`), run beside the instances:
    /// they never migrate (that is `comptexpert migrate`'s, once, before the instances) and
    /// refuse a database that needs it, and they never write a key file (they sign no token).
    pub async fn prepare_for_tools(settings: Settings) -> Result<ApiContext, String> {
        Self::context_for(settings, false).await
    }

    async fn context_for(settings: Settings, serving: bool) -> Result<ApiContext, String> {
        let pool = db::build_pool_with(&settings.database_url, settings.db_checkout_timeout)?;
        let migrate_pool = pool.clone();
        let applied = web::block(move || {
            let mut conn = migrate_pool.get().map_err(|e| e.to_string())?;
            if serving {
                return db::run_migrations(&mut conn);
            }
            if !db::migrations_up_to_date(&mut conn)? {
                return Err(
                    "the database is not migrated to this release: run `comptexpert migrate` first"
                        .to_owned(),
                );
            }
            Ok(Vec::new())
        })
        .await
        .map_err(|e| e.to_string())??;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "migrations applied");
        }
        let keys = if serving {
            auth::keys::KeyRing::load_or_generate(&settings.jwt_key_file)?
        } else {
            // The commands sign nothing: a key that lives as long as the command, so that a key
            // file the operator's user may not read (0600, the service's) is no obstacle.
            auth::keys::KeyRing::from(auth::keys::SigningKeys::from_pem(
                &auth::keys::generate_pem()?,
            )?)
        };
        // The commands sign no ID token either: they never read (nor create) the RSA key file.
        let id_token_keys = if serving {
            Some(Arc::new(oidc::keys::IdTokenKeys::load_or_generate(
                &settings.id_token_key_file,
            )?))
        } else {
            None
        };
        let signexpert = auth::signexpert::TrustStore::from_settings(&settings)?.map(Arc::new);
        let providers = payments::provider::Providers::from_name(
            &settings.payment_provider,
            &settings.frontend_url,
        )
        .ok_or_else(|| {
            format!(
                "PAYMENT_PROVIDER: unknown provider {:?}",
                settings.payment_provider
            )
        })?;
        let db = Db::new(pool, &settings.database_url);
        Ok(ApiContext {
            clock: context::Clock::default(),
            settings: Arc::new(settings),
            db,
            keys: Arc::new(keys),
            id_token_keys,
            access_cache: Arc::default(),
            read_cache: Arc::default(),
            search_cache: Arc::default(),
            signexpert,
            providers,
        })
    }

    async fn serve(context: ApiContext) -> Result<Self, String> {
        if context.settings.transfer_account.is_demo {
            tracing::warn!(
                "TRANSFER_IBAN, TRANSFER_BIC or TRANSFER_BENEFICIARY unset: transfer instructions give the demo's account"
            );
        }
        let listener = TcpListener::bind(context.settings.bind_addr)
            .map_err(|e| format!("cannot bind {}: {e}", context.settings.bind_addr))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let server = run(listener, context.clone())?;
        let metrics_port = match context.settings.metrics_addr {
            Some(addr) => {
                let metrics = measures::install()?;
                let listener = TcpListener::bind(addr)
                    .map_err(|e| format!("cannot bind METRICS_ADDR {addr}: {e}"))?;
                let port = listener.local_addr().map_err(|e| e.to_string())?.port();
                actix_web::rt::spawn(run_metrics(listener, context.clone(), metrics)?);
                Some(port)
            }
            None => None,
        };
        let dispatcher =
            mail::dispatcher::spawn(context.db.pool().clone(), context.settings.clone())?;
        flows::recovery::request_recovery::spawn_sweeper(context.clone());
        flows::payments::expire::spawn_sweeper(context.clone());
        flows::maintenance::spawn(context.clone());
        flows::oidc::backchannel::spawn(context.clone());
        spawn_wal_checkpoints(&context);
        if db::BackendKind::of(&context.settings.database_url) == db::BackendKind::Postgres {
            db::notify::spawn_listener(context.settings.database_url.clone());
        }
        Ok(Self {
            port,
            metrics_port,
            server,
            context,
            dispatcher,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of `/metrics`, when `METRICS_ADDR` is set (0 there picks a free one).
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// The shared state (tests and workers use its pool).
    pub fn context(&self) -> &ApiContext {
        &self.context
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests are allowed to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.dispatcher.abort();
        // Cancelled or not, it is gone once awaited; an email it was sending is sent again
        // after its lease (at least once).
        let _ = self.dispatcher.await;
        served
    }
}

/// SQLite: checkpoints the write-ahead log in the background (see [`db::checkpoint_wal`]), so
/// that writers no longer do it in turn while the others wait. Stops with the server's runtime.
fn spawn_wal_checkpoints(context: &ApiContext) {
    if db::BackendKind::of(&context.settings.database_url) != db::BackendKind::Sqlite {
        return;
    }
    let pool = context.db.pool().clone();
    actix_web::rt::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_millis(100));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let pool = pool.clone();
            let pass = web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                db::checkpoint_wal(&mut conn).map_err(|e| e.to_string())
            })
            .await;
            if let Err(error) = pass.map_err(|e| e.to_string()).and_then(|pass| pass) {
                tracing::warn!(%error, "WAL checkpoint failed; SQLite's own checkpoints remain");
            }
        }
    });
}

fn cors(settings: &Settings) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            http::header::AUTHORIZATION,
            http::header::CONTENT_TYPE,
            http::header::ACCEPT,
            http::header::ACCEPT_LANGUAGE,
            http::header::HeaderName::from_static("idempotency-key"),
            routes::expertpass::POLL_TOKEN_HEADER,
        ])
        .expose_headers([
            http::header::CONTENT_DISPOSITION,
            http::header::RETRY_AFTER,
            http::header::WWW_AUTHENTICATE,
            middleware::REQUEST_ID,
        ])
        .max_age(3600);
    for origin in &settings.cors_allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// `GET /metrics` in Prometheus' text format, alone on its listener (`METRICS_ADDR`): one worker,
/// nothing else routed there.
fn run_metrics(
    listener: TcpListener,
    context: ApiContext,
    handle: metrics_exporter_prometheus::PrometheusHandle,
) -> Result<Server, String> {
    let state = web::Data::new((context, handle));
    let server = HttpServer::new(move || {
        let metrics = web::get().to(render_metrics); // not the API: METRICS_ADDR only
        App::new()
            .app_data(state.clone())
            .route("/metrics", metrics) // not the API
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    Ok(server)
}

/// Prometheus' scrape: the figures read at scrape time first, then everything recorded.
async fn render_metrics(
    state: web::Data<(ApiContext, metrics_exporter_prometheus::PrometheusHandle)>,
) -> actix_web::HttpResponse {
    flows::health::scrape(&state.0).await;
    actix_web::HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.1.render())
}

fn run(listener: TcpListener, context: ApiContext) -> Result<Server, String> {
    let api = openapi::document();
    let route_table = web::Data::new(RouteTable::from_openapi(&api));
    let data = web::Data::new(context.clone());
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .app_data(data.clone())
            .app_data(route_table.clone())
            .app_data(fallback::json_config())
            .app_data(fallback::path_config())
            .app_data(fallback::query_config())
            .configure(routes::configure)
            .into_app()
            .service(web::redirect("/swagger-ui", "/swagger-ui/"))
            .service(
                SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", api.clone()),
            )
            .default_service(web::to(fallback::not_found))
            .wrap(cors(&context.settings))
            .wrap(from_fn(middleware::request_context))
    })
    .shutdown_timeout(30)
    // Database calls run on the blocking pool: a few threads per worker are enough (the pool has
    // at most 16 connections) and each extra thread would keep an allocator arena of its own.
    .worker_max_blocking_threads(16)
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    Ok(server)
}
