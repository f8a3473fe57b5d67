//! `comptexpert`: serve the API (default), apply migrations, print the OpenAPI document, load the
//! register from CSV extracts or with demo data, and the operator commands (accounts, signing
//! keys, maintenance, dead emails).

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
    /// The support desk's actions on one account, each recorded in its security history.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// The keys that sign access tokens (`JWT_KEY_FILE`).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Runs the maintenance task now (the retention of each table), then exits.
    Maintenance,
    /// Emails the outbox gave up (dead).
    Emails {
        #[command(subcommand)]
        action: EmailsAction,
    },
    /// The Ordre's staff: roles granted to existing accounts.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// The Ordre's sites registered as OpenID Connect relying parties or CAS services.
    Clients {
        #[command(subcommand)]
        action: ClientsAction,
    },
}

/// What a client is registered with (`clients add`); for `clients update`, the lists given
/// replace the stored ones and what is not given stays.
#[derive(clap::Args)]
struct ClientArgs {
    /// What users are told they sign in to.
    #[arg(long)]
    name: Option<String>,
    /// An exact redirect URI (repeat for several).
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// An exact URI the client may send the browser back to after logout (repeat for several).
    #[arg(long = "post-logout-redirect-uri")]
    post_logout_redirect_uris: Vec<String>,
    /// A scope it may ask for: openid, profile, email, ordre, offline_access (repeat).
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// Where logout tokens are POSTed when its users' sessions end.
    #[arg(long)]
    backchannel_logout_uri: Option<String>,
    /// ID-token signature: RS256 or EdDSA.
    #[arg(long)]
    id_token_alg: Option<String>,
    /// Lifetime of its access tokens, 60 to 3600 seconds.
    #[arg(long)]
    access_token_seconds: Option<i32>,
    /// Lifetime of its refresh tokens, 3600 seconds to 90 days.
    #[arg(long)]
    refresh_token_seconds: Option<i32>,
}

#[derive(Subcommand)]
enum StaffAction {
    /// Grants a role to the account of `identifier`: support, council (with --region) or
    /// administrator.
    Grant {
        identifier: String,
        #[arg(long)]
        role: String,
        /// The region of a council role (a code of GET /v1/regions).
        #[arg(long)]
        region: Option<String>,
    },
    /// Revokes a role.
    Revoke {
        identifier: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        region: Option<String>,
    },
    /// Lists every role granted.
    List,
}

/// What a CAS service is registered with (`clients add-cas`); for `clients update-cas`, the
/// lists given replace the stored ones and what is not given stays.
#[derive(clap::Args)]
struct CasServiceArgs {
    /// What users are told they sign in to.
    #[arg(long)]
    name: Option<String>,
    /// A service URL it may name: exact, or a prefix ending in /* (repeat for several).
    #[arg(long = "service")]
    patterns: Vec<String>,
    /// An attribute its validation returns: firstName, lastName, displayName, email,
    /// supraNumber, qualite, qualiteLabel, regions (repeat).
    #[arg(long = "attribute")]
    attributes: Vec<String>,
    /// Where the SAML LogoutRequest is POSTed when a session it signed in through ends.
    #[arg(long)]
    logout_url: Option<String>,
}

#[derive(Subcommand)]
enum ClientsAction {
    /// Registers a client; a confidential one gets a secret, printed once.
    Add {
        client_id: String,
        /// A public client (a mobile or browser application): no secret, PKCE required.
        #[arg(long)]
        public: bool,
        #[command(flatten)]
        with: ClientArgs,
    },
    /// Lists the registered clients and CAS services.
    List,
    /// Shows one client or CAS service.
    Show { client_id: String },
    /// Changes a client.
    Update {
        client_id: String,
        #[command(flatten)]
        with: ClientArgs,
        /// Removes its back-channel logout URI.
        #[arg(long, conflicts_with = "backchannel_logout_uri")]
        no_backchannel_logout: bool,
        /// Gives it a new secret (printed once); the old one stops working.
        #[arg(long)]
        new_secret: bool,
    },
    /// Registers a CAS service.
    AddCas {
        service_id: String,
        #[command(flatten)]
        with: CasServiceArgs,
    },
    /// Changes a CAS service.
    UpdateCas {
        service_id: String,
        #[command(flatten)]
        with: CasServiceArgs,
        /// Removes its single-logout URL.
        #[arg(long, conflicts_with = "logout_url")]
        no_logout_url: bool,
    },
    /// Removes a client or a CAS service: it can no longer sign anyone in.
    Remove { client_id: String },
}

/// An account is named by its identifier, an email address or a SUPRA number.
#[derive(Subcommand)]
enum AccountAction {
    /// Shows the accounts the query names: profile, status, sign-in lock, live sessions.
    Show { query: String },
    /// Lifts the sign-in lock of the account's identifier and forgets its failures.
    Unlock { query: String },
    /// Closes every live session of the account.
    RevokeSessions { query: String },
    /// Sends a new activation link to a pending account.
    ResendActivation { query: String },
    /// Sends a password reset link to an active account.
    SendReset { query: String },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Lists the keys of the file: which signs, which only verify and until when.
    List,
    /// Adds a key, published at once and signing 5 min 30 s later (verifiers elsewhere cache the
    /// JWKS 5 minutes); the previous one signs until then and verifies until the tokens it signed
    /// have expired. Running instances follow within seconds.
    Rotate {
        /// Signs with the new key at once (a key thought compromised): tokens it signs may be
        /// refused for up to 5 minutes by verifiers that cached the JWKS.
        #[arg(long)]
        now: bool,
    },
}

#[derive(Subcommand)]
enum EmailsAction {
    /// Lists the dead emails, most recent first.
    Dead {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Queues dead emails again, with a fresh count of attempts.
    Retry {
        /// The email's id (as listed); all dead emails with --all.
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        all: bool,
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
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if matches!(
        command,
        Command::Account { .. }
            | Command::Keys { .. }
            | Command::Maintenance
            | Command::Emails { .. }
            | Command::Clients { .. }
    ) {
        telemetry::init_on_stderr();
        return match operator::run(command).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("comptexpert: {message}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    telemetry::init();
    match run(command).await {
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
        Command::Account { .. }
        | Command::Keys { .. }
        | Command::Maintenance
        | Command::Emails { .. }
        | Command::Clients { .. }
        | Command::Staff { .. } => operator::run(command).await,
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

mod operator {
    //! The operator commands: each prints what it did; those about an account are recorded in
    //! its security history (`comptexpert::flows::support`).

    use super::{
        AccountAction, CasServiceArgs, ClientArgs, ClientsAction, Command, EmailsAction,
        KeysAction, StaffAction,
    };
    use comptexpert::{
        auth::keys,
        config::Settings,
        db::outbox::OutboxEmail,
        flows::{
            clients, maintenance,
            support::{self, AccountQuery},
        },
        Application,
    };

    pub async fn run(command: Command) -> Result<(), String> {
        let settings = Settings::from_env()?;
        if let Command::Keys { action } = command {
            return run_keys(&settings, action);
        }
        let ctx = Application::prepare_for_tools(settings).await?;
        match command {
            Command::Account { action } => run_account(&ctx, action).await,
            Command::Maintenance => {
                let purged = maintenance::run_now(&ctx)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("maintenance: {purged}");
                Ok(())
            }
            Command::Emails { action } => run_emails(&ctx, action).await,
            Command::Clients { action } => run_clients(&ctx, action).await,
            Command::Staff { action } => run_staff(&ctx, action).await,
            _ => Err("not an operator command".into()),
        }
    }

    fn run_keys(settings: &Settings, action: KeysAction) -> Result<(), String> {
        let path = &settings.jwt_key_file;
        let now = chrono::Utc::now();
        match action {
            KeysAction::List => {
                for key in keys::describe_file(path, now)? {
                    println!("{key}");
                }
            }
            KeysAction::Rotate { now: at_once } => {
                let rotation = if at_once {
                    keys::rotate_file_publishing(path, now, chrono::Duration::zero())?
                } else {
                    keys::rotate_file(path, now)?
                };
                tracing::info!(file = %path.display(), new_kid = %rotation.new_kid, "operator: signing keys rotated");
                println!("{rotation}");
            }
        }
        Ok(())
    }

    async fn run_account(
        ctx: &comptexpert::context::ApiContext,
        action: AccountAction,
    ) -> Result<(), String> {
        let text = |e: support::SupportError| e.to_string();
        match action {
            AccountAction::Show { query } => {
                let summaries = support::look_up(ctx, AccountQuery::parse(&query))
                    .await
                    .map_err(text)?;
                let shown: Vec<String> = summaries.iter().map(ToString::to_string).collect();
                println!("{}", shown.join("\n\n"));
            }
            AccountAction::Unlock { query } => {
                let (account, was_locked) = support::unlock(ctx, AccountQuery::parse(&query))
                    .await
                    .map_err(text)?;
                tracing::info!(account = %account.id, "operator: sign-in unlocked");
                if was_locked {
                    println!("{}: sign-in lock lifted", account.identifier);
                } else {
                    println!(
                        "{}: was not locked; failure count cleared",
                        account.identifier
                    );
                }
            }
            AccountAction::RevokeSessions { query } => {
                let (account, count) = support::revoke_sessions(ctx, AccountQuery::parse(&query))
                    .await
                    .map_err(text)?;
                tracing::info!(account = %account.id, count, "operator: sessions revoked");
                println!("{}: {count} session(s) closed", account.identifier);
            }
            AccountAction::ResendActivation { query } => {
                let account = support::resend_activation(ctx, AccountQuery::parse(&query))
                    .await
                    .map_err(text)?;
                tracing::info!(account = %account.id, "operator: activation link sent");
                println!(
                    "{}: activation link queued to {}",
                    account.identifier, account.email
                );
            }
            AccountAction::SendReset { query } => {
                let account = support::send_reset(ctx, AccountQuery::parse(&query))
                    .await
                    .map_err(text)?;
                tracing::info!(account = %account.id, "operator: reset link sent");
                println!(
                    "{}: reset link queued to {}",
                    account.identifier, account.email
                );
            }
        }
        Ok(())
    }

    /// Applies what `with` gives to `spec`.
    fn apply(spec: &mut comptexpert::oidc::clients::ClientSpec, with: ClientArgs) {
        if let Some(name) = with.name {
            spec.name = name;
        }
        if !with.redirect_uris.is_empty() {
            spec.redirect_uris = with.redirect_uris;
        }
        if !with.post_logout_redirect_uris.is_empty() {
            spec.post_logout_redirect_uris = with.post_logout_redirect_uris;
        }
        if !with.scopes.is_empty() {
            spec.scopes = with.scopes;
        }
        if with.backchannel_logout_uri.is_some() {
            spec.backchannel_logout_uri = with.backchannel_logout_uri;
        }
        if let Some(alg) = with.id_token_alg {
            spec.id_token_alg = alg;
        }
        if let Some(seconds) = with.access_token_seconds {
            spec.access_token_seconds = seconds;
        }
        if let Some(seconds) = with.refresh_token_seconds {
            spec.refresh_token_seconds = seconds;
        }
    }

    async fn run_staff(
        ctx: &comptexpert::context::ApiContext,
        action: StaffAction,
    ) -> Result<(), String> {
        use comptexpert::{domain::states::StaffRoleKind, flows::staff::roles};
        let kind = |role: &str| {
            StaffRoleKind::parse(role)
                .map_err(|_| format!("role {role:?}: support, council or administrator"))
        };
        let text = |e: comptexpert::error::ApiError| e.to_string();
        match action {
            StaffAction::Grant {
                identifier,
                role,
                region,
            } => {
                let (granted, new) =
                    roles::grant_by_operator(ctx, identifier.clone(), kind(&role)?, region)
                        .await
                        .map_err(text)?;
                tracing::info!(%identifier, role = %granted.role, "operator: staff role granted");
                let scope = granted
                    .region_code
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                if new {
                    println!("{identifier}: {}{scope} granted", granted.role);
                } else {
                    println!("{identifier}: already {}{scope}", granted.role);
                }
            }
            StaffAction::Revoke {
                identifier,
                role,
                region,
            } => {
                let revoked =
                    roles::revoke_by_operator(ctx, identifier.clone(), kind(&role)?, region)
                        .await
                        .map_err(text)?;
                match revoked {
                    Some(r) => {
                        tracing::info!(%identifier, role = %r.role, "operator: staff role revoked");
                        println!("{identifier}: {} revoked", r.role);
                    }
                    None => return Err(format!("{identifier} does not hold the role {role}")),
                }
            }
            StaffAction::List => {
                let all = roles::list_by_operator(ctx).await.map_err(text)?;
                if all.is_empty() {
                    println!("no staff role");
                }
                for (role, identifier) in all {
                    println!(
                        "{identifier}  {}{}  since {}",
                        role.role,
                        role.region_code
                            .map(|r| format!(" {r}"))
                            .unwrap_or_default(),
                        role.granted_at.format("%Y-%m-%d %H:%M UTC")
                    );
                }
            }
        }
        Ok(())
    }

    /// Applies what `with` gives to a CAS service's `spec`.
    fn apply_cas(spec: &mut comptexpert::cas::services::ServiceSpec, with: CasServiceArgs) {
        if let Some(name) = with.name {
            spec.name = name;
        }
        if !with.patterns.is_empty() {
            spec.patterns = with.patterns;
        }
        if !with.attributes.is_empty() {
            spec.attributes = with.attributes;
        }
        if with.logout_url.is_some() {
            spec.logout_url = with.logout_url;
        }
    }

    fn print_registered(registered: &clients::Registered) {
        println!("{}", comptexpert::oidc::clients::Shown(&registered.client));
        if let Some(secret) = &registered.secret {
            println!("  client secret:   {secret}");
            println!("  (shown this once: only its digest is kept)");
        }
    }

    async fn run_clients(
        ctx: &comptexpert::context::ApiContext,
        action: ClientsAction,
    ) -> Result<(), String> {
        use comptexpert::oidc::clients::ClientSpec;
        let text = |e: clients::ClientError| e.to_string();
        match action {
            ClientsAction::Add {
                client_id,
                public,
                with,
            } => {
                let mut spec = ClientSpec {
                    client_id,
                    name: String::new(),
                    confidential: !public,
                    redirect_uris: Vec::new(),
                    post_logout_redirect_uris: Vec::new(),
                    scopes: vec!["openid".into(), "profile".into(), "email".into()],
                    backchannel_logout_uri: None,
                    id_token_alg: "RS256".into(),
                    access_token_seconds: 900,
                    refresh_token_seconds: 30 * 24 * 3600,
                };
                apply(&mut spec, with);
                let registered = clients::add(ctx, spec).await.map_err(text)?;
                tracing::info!(client = %registered.client.client_id, "operator: client registered");
                print_registered(&registered);
            }
            ClientsAction::AddCas { service_id, with } => {
                let mut spec = comptexpert::cas::services::ServiceSpec {
                    service_id,
                    name: String::new(),
                    patterns: Vec::new(),
                    attributes: comptexpert::cas::services::DEFAULT_ATTRIBUTES
                        .iter()
                        .map(|a| (*a).to_owned())
                        .collect(),
                    logout_url: None,
                };
                apply_cas(&mut spec, with);
                let service = clients::add_cas(ctx, spec).await.map_err(text)?;
                tracing::info!(service = %service.service_id, "operator: CAS service registered");
                println!("{}", comptexpert::cas::services::Shown(&service));
            }
            ClientsAction::UpdateCas {
                service_id,
                with,
                no_logout_url,
            } => {
                let service = clients::update_cas(ctx, &service_id, move |spec| {
                    apply_cas(spec, with);
                    if no_logout_url {
                        spec.logout_url = None;
                    }
                })
                .await
                .map_err(text)?;
                tracing::info!(service = %service_id, "operator: CAS service updated");
                println!("{}", comptexpert::cas::services::Shown(&service));
            }
            ClientsAction::List => {
                let all = clients::list(ctx).await.map_err(text)?;
                let services = clients::list_cas(ctx).await.map_err(text)?;
                if all.is_empty() && services.is_empty() {
                    println!("no client");
                }
                for service in services {
                    println!("{}  cas  {}", service.service_id, service.name);
                }
                for client in all {
                    println!(
                        "{}  {}  {}",
                        client.client_id,
                        if client.confidential {
                            "confidential"
                        } else {
                            "public"
                        },
                        client.name
                    );
                }
            }
            ClientsAction::Show { client_id } => {
                if let Some(service) = clients::find_cas(ctx, &client_id).await.map_err(text)? {
                    println!("{}", comptexpert::cas::services::Shown(&service));
                    return Ok(());
                }
                let client = clients::show(ctx, &client_id).await.map_err(text)?;
                println!("{}", comptexpert::oidc::clients::Shown(&client));
            }
            ClientsAction::Update {
                client_id,
                with,
                no_backchannel_logout,
                new_secret,
            } => {
                let registered = clients::update(
                    ctx,
                    &client_id,
                    move |spec| {
                        apply(spec, with);
                        if no_backchannel_logout {
                            spec.backchannel_logout_uri = None;
                        }
                    },
                    new_secret,
                )
                .await
                .map_err(text)?;
                tracing::info!(client = %client_id, "operator: client updated");
                print_registered(&registered);
            }
            ClientsAction::Remove { client_id } => {
                if !clients::remove_cas(ctx, &client_id).await.map_err(text)? {
                    clients::remove(ctx, &client_id).await.map_err(text)?;
                }
                tracing::info!(client = %client_id, "operator: client removed");
                println!("{client_id}: removed");
            }
        }
        Ok(())
    }

    async fn run_emails(
        ctx: &comptexpert::context::ApiContext,
        action: EmailsAction,
    ) -> Result<(), String> {
        match action {
            EmailsAction::Dead { limit } => {
                let limit = limit.clamp(1, 10_000);
                let dead = ctx
                    .db
                    .run(move |conn| Ok(OutboxEmail::dead(conn, limit)?))
                    .await
                    .map_err(|e| e.to_string())?;
                if dead.is_empty() {
                    println!("no dead email");
                }
                for email in dead {
                    println!(
                        "{}  {}  {}  to {}  after {} attempt(s): {}",
                        email.id,
                        email
                            .dead_at
                            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                            .unwrap_or_default(),
                        email.kind,
                        email.recipient,
                        email.attempts,
                        email.last_error.unwrap_or_default()
                    );
                }
            }
            EmailsAction::Retry { id, all } => {
                let ids = match (id, all) {
                    (Some(id), _) => vec![id],
                    (None, true) => ctx
                        .db
                        .run(|conn| Ok(OutboxEmail::dead(conn, i64::MAX)?))
                        .await
                        .map_err(|e| e.to_string())?
                        .into_iter()
                        .map(|e| e.id)
                        .collect(),
                    (None, false) => return Err("name an email id, or --all".into()),
                };
                if all && ids.is_empty() {
                    println!("no dead email");
                    return Ok(());
                }
                let mut queued = 0;
                for id in ids {
                    let revived = id.clone();
                    if ctx
                        .db
                        .run(move |conn| Ok(OutboxEmail::revive(conn, &revived)?))
                        .await
                        .map_err(|e| e.to_string())?
                    {
                        queued += 1;
                        tracing::info!(%id, "operator: dead email queued again");
                        println!("{id}: queued again");
                    } else {
                        println!("{id}: no dead email has this id");
                    }
                }
                if queued == 0 {
                    return Err("no email queued".into());
                }
            }
        }
        Ok(())
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
