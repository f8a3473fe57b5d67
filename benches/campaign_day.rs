//! The campaign-day scenario of the benchmark (README, "Performance"): distinct RACs, each with
//! one to three bureaux of their own, walk whole journeys while others come back with a refresh.
//!
//! Setup, through the API and the import as a regional council would: `--users` RAC accounts
//! registered with the « Autre profil » form and activated from the emailed link (read in
//! `MAIL_DIR`), their firms and bureaux loaded with `comptexpert import` (firms, bureaux, grants),
//! and each bureau's firm attached by its RAC.
//!
//! Load, on `--connections` connections for `--seconds`: a journey is sign in → regions →
//! dashboard → bureau → save a declaration → pay 1 € with an `Idempotency-Key` → the provider's
//! signed confirmation → receipt PDF → sign out (every other journey keeps its session instead);
//! a returning user refreshes → dashboard → `/v1/me`. Every answer's status is checked. Prints
//! one JSON object: journeys, errors, and per step the count, p50, p99 and max in milliseconds.
//!
//! Usage: campaign_day BASE_URL MAIL_DIR COMPTEXPERT_BIN WORK_DIR WEBHOOK_SECRET
//!        [--users N] [--connections N] [--seconds N]

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use awc::{http::Method, Client};
use serde_json::{json, Value};

const REGION: &str = "paris-ile-de-france";
const PASSWORD: &str = "Campagne-2026!";

const STEPS: [&str; 11] = [
    "sign_in",
    "regions",
    "dashboard",
    "bureau",
    "save",
    "pay",
    "confirm",
    "receipt",
    "sign_out",
    "refresh",
    "me",
];

struct Options {
    base: String,
    mail_dir: PathBuf,
    binary: PathBuf,
    work: PathBuf,
    secret: String,
    users: usize,
    connections: usize,
    seconds: u64,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let (mut users, mut connections, mut seconds) = (300, 64, 30);
    while let Some(arg) = args.next() {
        let mut number =
            |default: usize| args.next().and_then(|v| v.parse().ok()).unwrap_or(default);
        match arg.as_str() {
            "--users" => users = number(users),
            "--connections" => connections = number(connections),
            "--seconds" => seconds = number(seconds as usize) as u64,
            _ => positional.push(arg),
        }
    }
    if positional.len() != 5 {
        eprintln!("usage: campaign_day BASE_URL MAIL_DIR COMPTEXPERT_BIN WORK_DIR WEBHOOK_SECRET [--users N] [--connections N] [--seconds N]");
        std::process::exit(2);
    }
    let mut p = positional.into_iter();
    let mut next = || p.next().unwrap_or_default();
    Options {
        base: next(),
        mail_dir: next().into(),
        binary: next().into(),
        work: next().into(),
        secret: next(),
        users,
        connections,
        seconds,
    }
}

/// One RAC of the scenario.
#[derive(Clone)]
struct Rac {
    identifier: String,
    /// Bureau reference and the id of the member attached to it, whose draft the journeys save.
    bureaux: Vec<(String, String)>,
}

/// An answer: status and body.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(
    client: &Client,
    base: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, String)],
    body: Option<&Value>,
) -> Result<Answer, String> {
    let mut request = client.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    for (name, value) in headers {
        request = request.insert_header((*name, value.as_str()));
    }
    let sent = match body {
        Some(body) => request.send_json(body).await,
        None => request.send().await,
    };
    let mut response = sent.map_err(|e| format!("{path}: {e}"))?;
    let body = response
        .body()
        .limit(4 * 1024 * 1024)
        .await
        .map_err(|e| format!("{path}: {e}"))?
        .to_vec();
    Ok(Answer {
        status: response.status().as_u16(),
        body,
    })
}

fn expect(answer: &Answer, status: u16, what: &str) -> Result<(), String> {
    if answer.status == status {
        Ok(())
    } else {
        Err(format!(
            "{what}: expected {status}, got {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
                .chars()
                .take(200)
                .collect::<String>()
        ))
    }
}

/// The one-time tokens of the activation emails in `dir`, by recipient.
fn activation_tokens(dir: &Path) -> HashMap<String, String> {
    let mut tokens = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return tokens;
    };
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let to = text
            .lines()
            .find_map(|l| l.strip_prefix("To: "))
            .map(|t| t.trim().trim_matches(['<', '>']).to_lowercase());
        let token = text.split("token=").nth(1).map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        });
        if let (Some(to), Some(token)) = (to, token) {
            tokens.insert(to, token);
        }
    }
    tokens
}

async fn setup(o: &Options, client: &Client) -> Result<Vec<Rac>, String> {
    let stamp = std::process::id();
    let mut racs = Vec::with_capacity(o.users);
    for n in 0..o.users {
        let identifier = format!("campagne.{stamp}.{n}");
        let email = format!("{identifier}@cabinet-campagne.example");
        let form = json!({
            "identifier": identifier, "email": email, "civility": "MME",
            "last_name": "Campagne", "first_name": "Rac", "address": "1 rue de la Paix",
            "city": "Paris", "postal_code": "75002", "birth_year": 1985,
            "accepts_communications": false,
        });
        let created = send(
            client,
            &o.base,
            Method::POST,
            "/v1/accounts/external",
            None,
            &[],
            Some(&form),
        )
        .await?;
        expect(&created, 202, "registration")?;
        racs.push(Rac {
            identifier,
            bureaux: Vec::new(),
        });
    }
    // The activation links, from the emails.
    let deadline = Instant::now() + Duration::from_secs(120);
    let tokens = loop {
        let tokens = activation_tokens(&o.mail_dir);
        let found = racs
            .iter()
            .filter(|r| tokens.contains_key(&format!("{}@cabinet-campagne.example", r.identifier)))
            .count();
        if found == racs.len() {
            break tokens;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "only {found} activation emails of {} arrived",
                racs.len()
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for rac in &racs {
        let token = &tokens[&format!("{}@cabinet-campagne.example", rac.identifier)];
        let body = json!({"password": PASSWORD, "password_confirmation": PASSWORD});
        let set = send(
            client,
            &o.base,
            Method::POST,
            &format!("/v1/password-tokens/{token}"),
            None,
            &[],
            Some(&body),
        )
        .await?;
        expect(&set, 204, "activation")?;
    }
    // Firms and bureaux of their own (one to three each), granted by the import.
    let dir = o.work.join("campaign-import");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (mut firms, mut bureaux, mut grants) = (
        String::from("firm_ref,name\n"),
        String::from(
            "bureau_ref,firm_ref,region_code,inscription_type,address_line,postal_code,city\n",
        ),
        String::from("bureau_ref,identifier\n"),
    );
    for (n, rac) in racs.iter_mut().enumerate() {
        let firm = format!("FC{stamp}-{n}");
        firms.push_str(&format!("{firm},Cabinet Campagne {n}\n"));
        for b in 0..(1 + n % 3) {
            let bureau = format!("BC{stamp}-{n}-{b}");
            let kind = if b == 0 { "PRINCIPAL" } else { "SECONDAIRE" };
            bureaux.push_str(&format!(
                "{bureau},{firm},{REGION},{kind},1 rue de la Paix,75002,Paris\n"
            ));
            grants.push_str(&format!("{bureau},{}\n", rac.identifier));
            rac.bureaux.push((bureau, firm.clone()));
        }
    }
    for (file, text) in [
        ("firms.csv", firms),
        ("bureaux.csv", bureaux),
        ("bureau_managers.csv", grants),
    ] {
        std::fs::write(dir.join(file), text).map_err(|e| e.to_string())?;
    }
    let imported = std::process::Command::new(&o.binary)
        .arg("import")
        .arg(&dir)
        .output()
        .map_err(|e| e.to_string())?;
    if !imported.status.success() {
        return Err(format!(
            "import failed: {}",
            String::from_utf8_lossy(&imported.stderr)
        ));
    }
    // Each RAC declares the firm (the legal person) of each bureau, which calls the bureau's
    // contributions, and attaches a member still to declare: the journeys save that member's
    // draft again and again, and pay what the bureau owes a euro at a time.
    let mut supra = 1_000_000 + (stamp as usize % 50_000);
    for rac in &mut racs {
        let token = sign_in(client, &o.base, &rac.identifier).await?.0;
        let t = Some(token.as_str());
        for (bureau, firm) in &mut rac.bureaux {
            let persons = format!("/v1/portal/regions/{REGION}/bureaux/{bureau}/persons");
            let body = json!({"firm_ref": firm});
            let pm = send(client, &o.base, Method::POST, &persons, t, &[], Some(&body)).await?;
            expect(&pm, 201, "attach the firm")?;
            let pm = pm.json()["id"].as_str().unwrap_or_default().to_owned();
            let declaration = format!("{persons}/{pm}/declaration");
            let body = json!({"average_headcount": "3"});
            let saved = send(
                client,
                &o.base,
                Method::PUT,
                &declaration,
                t,
                &[],
                Some(&body),
            )
            .await?;
            expect(&saved, 200, "the firm's declaration")?;
            let submission = format!("{declaration}/submission");
            let submitted = send(client, &o.base, Method::POST, &submission, t, &[], None).await?;
            expect(&submitted, 200, "the firm's submission")?;
            // Generated SUPRA numbers are spread out: the next one the register knows.
            let pp = loop {
                supra += 1;
                let body = json!({"supra_number": format!("{supra:07}")});
                let pp = send(client, &o.base, Method::POST, &persons, t, &[], Some(&body)).await?;
                if pp.status != 404 {
                    break pp;
                }
            };
            expect(&pp, 201, "attach a member")?;
            let view = pp.json();
            *firm = view["id"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("no person id in {view}"))?;
        }
        let out = send(
            client,
            &o.base,
            Method::DELETE,
            "/v1/sessions/current",
            Some(&token),
            &[],
            None,
        )
        .await?;
        expect(&out, 204, "sign-out")?;
    }
    Ok(racs)
}

async fn sign_in(
    client: &Client,
    base: &str,
    identifier: &str,
) -> Result<(String, String), String> {
    let body = json!({"identifier": identifier, "password": PASSWORD});
    let answer = send(
        client,
        base,
        Method::POST,
        "/v1/sessions",
        None,
        &[],
        Some(&body),
    )
    .await?;
    expect(&answer, 201, "sign-in")?;
    let json = answer.json();
    Ok((
        json["access_token"].as_str().unwrap_or_default().to_owned(),
        json["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    ))
}

/// Latencies of one connection, by step, in microseconds.
type Timings = HashMap<&'static str, Vec<u64>>;

struct Connection<'a> {
    client: Client,
    o: &'a Options,
    timings: Timings,
}

impl Connection<'_> {
    /// Sends one request of a journey, times it and checks its status.
    // The parts of a request, each named at the call: a builder would only hide them.
    #[allow(clippy::too_many_arguments)]
    async fn step(
        &mut self,
        name: &'static str,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, String)],
        body: Option<&Value>,
        status: u16,
    ) -> Result<Answer, String> {
        let started = Instant::now();
        let answer = send(
            &self.client,
            &self.o.base,
            method,
            path,
            token,
            headers,
            body,
        )
        .await?;
        self.timings
            .entry(name)
            .or_default()
            .push(started.elapsed().as_micros() as u64);
        expect(&answer, status, name)?;
        Ok(answer)
    }

    /// A whole journey; returns the session's refresh token when it keeps it.
    async fn journey(&mut self, rac: &Rac, n: u64, keep: bool) -> Result<Option<String>, String> {
        let body = json!({"identifier": rac.identifier, "password": PASSWORD});
        let signed = self
            .step(
                "sign_in",
                Method::POST,
                "/v1/sessions",
                None,
                &[],
                Some(&body),
                201,
            )
            .await?
            .json();
        let token = signed["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let t = Some(token.as_str());
        self.step(
            "regions",
            Method::GET,
            "/v1/portal/regions",
            t,
            &[],
            None,
            200,
        )
        .await?;
        self.step(
            "dashboard",
            Method::GET,
            &format!("/v1/portal/regions/{REGION}/bureaux"),
            t,
            &[],
            None,
            200,
        )
        .await?;
        let (bureau, person) = &rac.bureaux[n as usize % rac.bureaux.len()];
        let bureau_path = format!("/v1/portal/regions/{REGION}/bureaux/{bureau}");
        self.step("bureau", Method::GET, &bureau_path, t, &[], None, 200)
            .await?;
        let category = ["independant", "salarie", "agc_83ter"][n as usize % 3];
        let declaration = json!({"category": category});
        self.step(
            "save",
            Method::PUT,
            &format!("{bureau_path}/persons/{person}/declaration"),
            t,
            &[],
            Some(&declaration),
            200,
        )
        .await?;
        let key = format!("campagne-{}-{n}-{}", rac.identifier, rand_suffix());
        let payment = self
            .step(
                "pay",
                Method::POST,
                &format!("{bureau_path}/payments"),
                t,
                &[("Idempotency-Key", key)],
                Some(&json!({"method": "card", "amount_cents": 100})),
                201,
            )
            .await?
            .json();
        let reference = payment["checkout_url"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .unwrap_or_default()
            .to_owned();
        let event = json!({
            "id": format!("evt_{}", rand_suffix()), "type": "payment.succeeded",
            "payment_reference": reference, "amount_cents": 100, "currency": "EUR",
        });
        let raw = event.to_string();
        let signature = comptexpert::payments::webhook::sign(
            self.o.secret.as_bytes(),
            chrono::Utc::now().timestamp(),
            raw.as_bytes(),
        );
        self.step(
            "confirm",
            Method::POST,
            "/v1/payments/webhooks/test",
            None,
            &[("ComptExpert-Signature", signature)],
            Some(&event),
            200,
        )
        .await?;
        let id = payment["id"].as_str().unwrap_or_default();
        self.step(
            "receipt",
            Method::GET,
            &format!("/v1/portal/regions/{REGION}/payments/{id}/receipt"),
            t,
            &[],
            None,
            200,
        )
        .await?;
        if keep {
            return Ok(signed["refresh_token"].as_str().map(str::to_owned));
        }
        self.step(
            "sign_out",
            Method::DELETE,
            "/v1/sessions/current",
            t,
            &[],
            None,
            204,
        )
        .await?;
        Ok(None)
    }

    /// A returning user: refresh, dashboard, profile; the new refresh token.
    async fn comeback(&mut self, refresh_token: &str) -> Result<String, String> {
        let body = json!({"refresh_token": refresh_token});
        let pair = self
            .step(
                "refresh",
                Method::POST,
                "/v1/sessions/refresh",
                None,
                &[],
                Some(&body),
                200,
            )
            .await?
            .json();
        let token = pair["access_token"].as_str().unwrap_or_default().to_owned();
        let t = Some(token.as_str());
        self.step(
            "dashboard",
            Method::GET,
            &format!("/v1/portal/regions/{REGION}/bureaux"),
            t,
            &[],
            None,
            200,
        )
        .await?;
        self.step("me", Method::GET, "/v1/me", t, &[], None, 200)
            .await?;
        Ok(pair["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() {
    let o = options();
    actix_web::rt::System::new().block_on(async move {
        let setup_client = Client::default();
        let setup_started = Instant::now();
        let racs = match setup(&o, &setup_client).await {
            Ok(racs) => Arc::new(racs),
            Err(e) => {
                eprintln!("campaign_day setup: {e}");
                std::process::exit(1);
            }
        };
        let setup_seconds = setup_started.elapsed().as_secs_f64();
        // The load generator's own start, announced so that the driver reads the service's CPU
        // from here.
        println!("{{\"event\": \"load_started\"}}");
        let journeys = Arc::new(AtomicU64::new(0));
        let comebacks = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(o.seconds);
        let started = Instant::now();
        let o = Arc::new(o);
        let mut tasks = Vec::new();
        for c in 0..o.connections {
            let (racs, journeys, comebacks, errors, o) = (
                racs.clone(),
                journeys.clone(),
                comebacks.clone(),
                errors.clone(),
                o.clone(),
            );
            tasks.push(actix_web::rt::spawn(async move {
                let client = Client::builder()
                    .connector(awc::Connector::new().limit(1))
                    .timeout(Duration::from_secs(30))
                    .finish();
                let mut conn = Connection {
                    client,
                    o: &o,
                    timings: Timings::new(),
                };
                let mine: Vec<&Rac> = racs.iter().skip(c).step_by(o.connections).collect();
                let mut kept: Vec<Option<String>> = vec![None; mine.len()];
                let mut n: u64 = 0;
                while Instant::now() < deadline && !mine.is_empty() {
                    let i = n as usize % mine.len();
                    let outcome = match kept[i].take() {
                        Some(refresh) => conn.comeback(&refresh).await.map(|_| {
                            comebacks.fetch_add(1, Ordering::Relaxed);
                            None
                        }),
                        None => conn.journey(mine[i], n, n % 2 == 1).await.inspect(|_| {
                            journeys.fetch_add(1, Ordering::Relaxed);
                        }),
                    };
                    match outcome {
                        Ok(keep) => kept[i] = keep,
                        Err(e) => {
                            if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                                eprintln!("campaign_day: {e}");
                            }
                        }
                    }
                    n += 1;
                }
                conn.timings
            }));
        }
        let mut all = Timings::new();
        for task in tasks {
            if let Ok(timings) = task.await {
                for (step, values) in timings {
                    all.entry(step).or_default().extend(values);
                }
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        let mut steps = serde_json::Map::new();
        for step in STEPS {
            let mut values = all.remove(step).unwrap_or_default();
            values.sort_unstable();
            steps.insert(
                step.to_owned(),
                json!({
                    "count": values.len(),
                    "p50_ms": percentile(&values, 0.50),
                    "p99_ms": percentile(&values, 0.99),
                    "max_ms": percentile(&values, 1.0),
                }),
            );
        }
        let done = journeys.load(Ordering::Relaxed);
        println!(
            "{}",
            json!({
                "users": racs.len(),
                "connections": o.connections,
                "seconds": elapsed,
                "setup_seconds": setup_seconds,
                "journeys": done,
                "journeys_per_second": done as f64 / elapsed,
                "comebacks": comebacks.load(Ordering::Relaxed),
                "errors": errors.load(Ordering::Relaxed),
                "steps": steps,
            })
        );
    });
}
