//! `comptexpert`: serve the API (default), apply migrations, print the OpenAPI document, load the
//! register from CSV extracts or with demo data.

use std::{path::PathBuf, time::Instant};

use clap::{Parser, Subcommand};
use comptexpert::{
    config::Settings,
    db, openapi,
    register::{
        self,
        demo::{DemoSpec, SeedOutcome},
    },
    telemetry, Application,
};

#[derive(Parser)]
#[command(
    name = "comptexpert",
    version,
    about = "ComptExpert API server and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// First load the demo data, when the register is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document on standard output.
    Openapi,
    /// Load the register from the CSV extracts in DIR, in one transaction (formats: README).
    Import {
        /// Folder holding regions.csv, members.csv, firms.csv, bureaux.csv, personal_files.csv,
        /// campaigns.csv, firm_responsables.csv, bureau_managers.csv and/or scales.csv.
        dir: PathBuf,
    },
    /// Load the demo register and accounts into a database whose register is empty.
    SeedDemo {
        /// Generated members, on top of the fixed demo people.
        #[arg(long, default_value_t = DemoSpec::FULL_SIZE)]
        members: usize,
    },
}

/// Fixes glibc's mmap threshold at 1 MiB. By default it rises to the size of the largest block
/// freed, after which large transient buffers come from the heap and stay resident (Argon2's
/// 19 MiB did, until each hashing thread kept its own: see `auth::password`).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; it is called once, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

fn main() -> std::process::ExitCode {
    tune_allocator();
    actix_web::rt::System::new().block_on(run_cli())
}

async fn run_cli() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", openapi::document_json());
        return std::process::ExitCode::SUCCESS;
    }
    telemetry::init();
    match run(cli.command.unwrap_or(Command::Serve { demo: false })).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("comptexpert: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    let settings = Settings::from_env()?;
    match command {
        Command::Serve { demo } => {
            tracing::info!(?settings, "starting");
            if std::env::var_os("FRONTEND_URL").is_none() {
                tracing::warn!(
                    frontend_url = %settings.frontend_url,
                    "FRONTEND_URL is not set: the links in emails point at the API, which serves no pages (README: Pages the front end provides)"
                );
            }
            if demo {
                let url = settings.database_url.clone();
                match blocking(move || seed_demo(&url, DemoSpec::full())).await? {
                    SeedOutcome::Seeded(summary) => tracing::info!(%summary, "demo data loaded"),
                    SeedOutcome::RegisterNotEmpty { members, .. } => {
                        tracing::info!(members, "the register is not empty: demo data not loaded")
                    }
                }
            }
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "listening");
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate => {
            let pool = db::build_pool(&settings.database_url)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let applied = db::run_migrations(&mut conn)?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Openapi => Ok(()),
        Command::Import { dir } => {
            let url = settings.database_url.clone();
            let summary = blocking(move || {
                let mut conn = migrated_connection(&url)?;
                register::import_register(&mut conn, &dir).map_err(|e| e.to_string())
            })
            .await?;
            print!("{summary}");
            Ok(())
        }
        Command::SeedDemo { members } => {
            let started = Instant::now();
            let url = settings.database_url.clone();
            let spec = DemoSpec {
                members,
                ..DemoSpec::full()
            };
            match blocking(move || seed_demo(&url, spec)).await? {
                SeedOutcome::Seeded(summary) => {
                    println!("demo data loaded in {:.1} s: {summary}", started.elapsed().as_secs_f64());
                    Ok(())
                }
                SeedOutcome::RegisterNotEmpty { members, firms, campaigns } => Err(format!(
                    "the register is not empty ({members} members, {firms} firms, {campaigns} campaigns): demo data not loaded"
                )),
            }
        }
    }
}

/// Runs blocking database work off the async executor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    actix_web::web::block(work)
        .await
        .map_err(|e| e.to_string())?
}

/// A connection to a database whose migrations are applied.
fn migrated_connection(url: &str) -> Result<db::PooledConnection, String> {
    let pool = db::build_pool(url)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

/// Seeds the demo register of `spec` into the database at `url`, migrating it first.
fn seed_demo(url: &str, spec: DemoSpec) -> Result<SeedOutcome, String> {
    let mut conn = migrated_connection(url)?;
    register::demo::seed(&mut conn, &spec).map_err(|e| e.to_string())
}
