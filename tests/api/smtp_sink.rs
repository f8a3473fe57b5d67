//! A small SMTP server for tests: accepts every message and keeps it in memory, so a test can
//! check what a real SMTP client (lettre) delivered. Plain SMTP only (no STARTTLS, no AUTH).
//! Recipients whose address starts with [`REFUSED_PREFIX`] are refused for good (550), as a
//! real server refuses a mailbox that does not exist.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::watch,
};

/// The sink answers `550 5.1.1` to recipients whose address starts with this.
pub const REFUSED_PREFIX: &str = "inconnu";

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct SinkMessage {
    /// The envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub recipients: Vec<String>,
    /// The message as sent after `DATA`, dot-unstuffed, CRLF line ends kept.
    pub data: String,
}

/// A running sink; stops when dropped.
pub struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<SinkMessage>>>,
    stop: watch::Sender<bool>,
}

impl SmtpSink {
    /// Starts on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Starts on `port` of 127.0.0.1 (0 picks a free one).
    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the SMTP sink binds its port");
        let port = listener.local_addr().expect("the sink's address").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = watch::channel(false);
        let store = messages.clone();
        actix_web::rt::spawn(async move {
            let mut stopped_accepting = stopped.clone();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        actix_web::rt::spawn(serve(stream, store.clone(), stopped.clone()));
                    }
                    _ = stopped_accepting.changed() => break,
                }
            }
        });
        Self {
            port,
            messages,
            stop,
        }
    }

    /// The port the sink listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<SinkMessage> {
        self.messages.lock().expect("the sink's store").clone()
    }

    /// Waits until at least `count` messages have arrived, and returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<SinkMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP sink received {} message(s) within {timeout:?}, expected {count}",
                messages.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops accepting and closes open sessions.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The address inside `<…>` of `MAIL FROM:<a>` / `RCPT TO:<a> PARAM=…`.
fn path_argument(argument: &str) -> String {
    let argument = argument.trim();
    match (argument.find('<'), argument.find('>')) {
        (Some(start), Some(end)) if start < end => argument[start + 1..end].to_owned(),
        _ => argument
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// One SMTP session (RFC 5321, the subset a client needs to deliver).
async fn serve(
    stream: TcpStream,
    store: Arc<Mutex<Vec<SinkMessage>>>,
    mut stopped: watch::Receiver<bool>,
) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut mail_from: Option<String> = None;
    let mut recipients: Vec<String> = Vec::new();
    macro_rules! reply {
        ($text:expr) => {
            if writer.write_all($text.as_bytes()).await.is_err() {
                return;
            }
        };
    }
    reply!("220 sink.test ESMTP test sink ready\r\n");
    loop {
        let mut line = Vec::new();
        tokio::select! {
            read = reader.read_until(b'\n', &mut line) => {
                if !matches!(read, Ok(n) if n > 0) {
                    return;
                }
            }
            _ = stopped.changed() => return,
        }
        let line = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_owned();
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => reply!(
                "250-sink.test greets you\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n250 HELP\r\n"
            ),
            "HELO" => reply!("250 sink.test\r\n"),
            "MAIL" if line.to_ascii_uppercase().starts_with("MAIL FROM:") => {
                mail_from = Some(path_argument(&line["MAIL FROM:".len()..]));
                recipients.clear();
                reply!("250 2.1.0 OK\r\n");
            }
            "RCPT" if line.to_ascii_uppercase().starts_with("RCPT TO:") => {
                let recipient = path_argument(&line["RCPT TO:".len()..]);
                if mail_from.is_none() {
                    reply!("503 5.5.1 MAIL first\r\n");
                } else if recipient.starts_with(REFUSED_PREFIX) {
                    reply!("550 5.1.1 No such user here\r\n");
                } else {
                    recipients.push(path_argument(&line["RCPT TO:".len()..]));
                    reply!("250 2.1.5 OK\r\n");
                }
            }
            "DATA" => {
                if mail_from.is_none() || recipients.is_empty() {
                    reply!("503 5.5.1 MAIL and RCPT first\r\n");
                    continue;
                }
                reply!("354 End data with <CR><LF>.<CR><LF>\r\n");
                let mut data = Vec::new();
                loop {
                    let mut data_line = Vec::new();
                    match reader.read_until(b'\n', &mut data_line).await {
                        Ok(n) if n > 0 => {}
                        _ => return,
                    }
                    if data_line == b".\r\n" || data_line == b".\n" {
                        break;
                    }
                    // Dot-unstuffing (RFC 5321 §4.5.2).
                    let unstuffed = if data_line.starts_with(b".") {
                        &data_line[1..]
                    } else {
                        &data_line[..]
                    };
                    data.extend_from_slice(unstuffed);
                }
                store.lock().expect("the sink's store").push(SinkMessage {
                    mail_from: mail_from.take().unwrap_or_default(),
                    recipients: std::mem::take(&mut recipients),
                    data: String::from_utf8_lossy(&data).into_owned(),
                });
                reply!("250 2.0.0 OK queued\r\n");
            }
            "RSET" => {
                mail_from = None;
                recipients.clear();
                reply!("250 2.0.0 OK\r\n");
            }
            "NOOP" => reply!("250 2.0.0 OK\r\n"),
            "QUIT" => {
                reply!("221 2.0.0 Bye\r\n");
                return;
            }
            _ => reply!("502 5.5.2 Command not recognised\r\n"),
        }
    }
}
