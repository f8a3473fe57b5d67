//! The real binary serving in a process of its own, for what one process cannot show: a second
//! instance with caches of its own, the log lines as an operator reads them.

use std::{
    process::{Child, Command},
    time::{Duration, Instant},
};

/// `comptexpert serve` on a free port, with a directory of its own; killed when dropped.
pub struct ServiceProcess {
    child: Child,
    pub address: String,
    /// What it printed (its logs), once it has stopped.
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl ServiceProcess {
    /// Starts it with `env` on top of a directory of its own (SQLite file, mail folder, keys)
    /// and waits until `/ready` answers.
    pub async fn start(client: &awc::Client, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("a directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = dir.path().join("service.log");
        let output = std::fs::File::create(&log).expect("a log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_comptexpert"));
        command
            .arg("serve")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("db.sqlite").display()),
            )
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("JWT_KEY_FILE", dir.path().join("keys.pem"))
            .env("ID_TOKEN_KEY_FILE", dir.path().join("id-token-keys.pem"))
            .env("MAIL_DIR", dir.path().join("mail"))
            .env("RUST_LOG", "warn")
            .current_dir(dir.path())
            .stdout(output.try_clone().expect("a log file"))
            .stderr(output);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("the binary starts");
        let process = ServiceProcess {
            child,
            address: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        let started = Instant::now();
        loop {
            let ready = client
                .get(format!("{}/ready", process.address))
                .send()
                .await;
            if ready.is_ok_and(|r| r.status().as_u16() == 200) {
                return process;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the service process is not ready: {}",
                std::fs::read_to_string(&process.log).unwrap_or_default()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops it and returns what it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
