//! A database outage: requests fail fast with 503 and `Retry-After`, `/ready` says so in well under
//! a second, and the service recovers by itself. PostgreSQL only (reached through a proxy that the
//! test cuts and restores); SQLite has no server to lose.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{spawn_app_with, TEST_DATABASE_URL};

/// A TCP relay to PostgreSQL that can be cut (connections closed, new ones refused) and restored.
/// It runs on a thread of its own: the application's start blocks the test's runtime while it
/// connects.
struct Relay {
    address: std::net::SocketAddr,
    up: Arc<AtomicBool>,
}

impl Relay {
    fn start(upstream: &str) -> Self {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = probe.local_addr().expect("address");
        drop(probe);
        let up = Arc::new(AtomicBool::new(true));
        let (upstream, relay_up) = (upstream.to_owned(), up.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(relay(address, upstream, relay_up));
        });
        Self { address, up }
    }

    /// Closes every relayed connection and refuses new ones: the database is gone.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
    }

    /// Listens again on the same address: the database is back.
    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Listens while `up`, relaying each connection until it ends or `up` turns false.
async fn relay(address: std::net::SocketAddr, upstream: String, up: Arc<AtomicBool>) {
    loop {
        if !up.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        }
        let Ok(listener) = TcpListener::bind(address).await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        while up.load(Ordering::SeqCst) {
            let Ok(Ok((mut client, _))) =
                tokio::time::timeout(Duration::from_millis(10), listener.accept()).await
            else {
                continue;
            };
            let (upstream, up) = (upstream.clone(), up.clone());
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
                tokio::pin!(copy);
                while up.load(Ordering::SeqCst) {
                    tokio::select! {
                        _ = &mut copy => return,
                        _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                    }
                }
            });
        }
    }
}

#[actix_web::test]
async fn a_database_outage_answers_503_at_once_and_the_service_recovers_by_itself() {
    let Some(base) = std::env::var(TEST_DATABASE_URL)
        .ok()
        .filter(|v| !v.is_empty())
    else {
        eprintln!("PostgreSQL only: set {TEST_DATABASE_URL}");
        return;
    };
    let authority = base
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .and_then(|authority| authority.rsplit('@').next())
        .expect("host:port in TEST_DATABASE_URL")
        .to_owned();
    let relay = Relay::start(&authority);
    let proxied = relay.address.to_string();
    let app = spawn_app_with(|settings| {
        settings.database_url = settings.database_url.replacen(&authority, &proxied, 1);
    })
    .await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    assert_eq!(app.ready().await.status.as_u16(), 200);

    relay.cut();
    // The relay closes its connections within its 10 ms polling.
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Enough at once that some must wait for a new connection, not only find a dead idle one.
    let started = Instant::now();
    let probes = futures_util::future::join_all((0..20).map(|_| app.ready())).await;
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "/ready took {:?}",
        started.elapsed()
    );
    for probe in &probes {
        probe.assert_problem(503, "not_ready");
        assert_eq!(
            probe.header("retry-after").as_deref(),
            Some("1"),
            "a load balancer is told when to look again"
        );
    }

    let started = Instant::now();
    let sign_ins = futures_util::future::join_all(
        (0..20).map(|_| app.sign_in("j.martin", "Rac-2026!", false)),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "sign-ins took {:?}",
        started.elapsed()
    );
    for sign_in in &sign_ins {
        sign_in.assert_problem(503, "service_unavailable");
        assert!(
            sign_in.header("retry-after").is_some(),
            "a 503 says when to retry"
        );
    }

    // Nothing is acknowledged that is not written: a recovery request is not lost behind a 202.
    let recovery = app.recover("jeanne@cabinet.fr").await;
    recovery.assert_problem(503, "service_unavailable");

    relay.restore();
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.ready().await.status.as_u16() != 200 {
        assert!(Instant::now() < deadline, "the service did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (access, _) = app.signed_in(&account).await;
    assert_eq!(app.me(&access).await.status.as_u16(), 200);
}
