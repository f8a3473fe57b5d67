//! Where emails go: an SMTP server through lettre when `SMTP_URL` is set, otherwise `.eml` files
//! under `MAIL_DIR`, so that a newcomer sees every email on disk without running a mail server.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use lettre::{
    message::{
        header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue},
        Body, Mailbox, MultiPart, SinglePart,
    },
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use crate::{config::Settings, db::outbox::OutboxEmail, domain::email::log_form};

/// How long one SMTP exchange may take. Kept well under the dispatcher's lease so that a slow
/// server cannot make a message's claim expire while it is still being sent (which would let
/// another instance send it too).
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message could not be delivered. The text never holds the full recipient address, so it
/// can be logged and stored as the message's `last_error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct SendError {
    text: String,
    /// Trying again cannot help: the mail server refused the message for good (an SMTP 5xx,
    /// RFC 5321 §4.2.1), or the message cannot be written (an invalid address).
    permanent: bool,
}

impl SendError {
    /// A temporary error about the message to `recipient`, with the address reduced to its domain.
    pub(crate) fn about(recipient: &str, error: impl std::fmt::Display) -> Self {
        let text = error.to_string();
        if recipient.is_empty() {
            return Self {
                text,
                permanent: false,
            };
        }
        Self {
            text: text.replace(recipient, &log_form(recipient)),
            permanent: false,
        }
    }

    /// [`SendError::about`], refused for good.
    pub(crate) fn refused(recipient: &str, error: impl std::fmt::Display) -> Self {
        Self {
            permanent: true,
            ..Self::about(recipient, error)
        }
    }

    /// Whether a later attempt is pointless (the email is then given up at once).
    pub fn is_permanent(&self) -> bool {
        self.permanent
    }
}

/// The configured way out.
pub enum Transport {
    /// Hands messages to an SMTP server.
    Smtp {
        /// The pooled lettre client.
        client: AsyncSmtpTransport<Tokio1Executor>,
        /// The `From:` of every message.
        from: Mailbox,
    },
    /// Writes each message as an `.eml` file.
    Files {
        /// Folder of the files (created on first use).
        dir: PathBuf,
        /// The `From:` of every message.
        from: Mailbox,
    },
}

impl Transport {
    /// The transport the settings ask for; fails on an unreadable `SMTP_URL` or `MAIL_FROM`.
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| format!("MAIL_FROM is not a valid mailbox: {e}"))?;
        Ok(match &settings.smtp_url {
            Some(url) => Self::Smtp {
                client: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("SMTP_URL is not usable: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
                from,
            },
            None => Self::Files {
                dir: settings.mail_dir.clone(),
                from,
            },
        })
    }

    /// Delivers one message from the outbox.
    pub async fn send(&self, email: &OutboxEmail) -> Result<(), SendError> {
        match self {
            Self::Smtp { client, from } => {
                // Quoted-printable for SMTP: not every relay announces 8BITMIME.
                let message = build_message(from, email, false)?;
                client.send(message).await.map(drop).map_err(|e| {
                    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
                    if e.is_permanent() && refuses_the_recipient(&code, &e.to_string()) {
                        SendError::refused(&email.recipient, e)
                    } else {
                        SendError::about(&email.recipient, e)
                    }
                })
            }
            Self::Files { dir, from } => {
                // 8bit on disk, so the file reads as plain French in any editor.
                let message = build_message(from, email, true)?;
                let dir = dir.clone();
                let name = file_name(email);
                let bytes = message.formatted();
                actix_web::web::block(move || write_atomically(&dir, &name, &bytes))
                    .await
                    .map_err(|e| SendError::about("", e))?
                    .map_err(|e| SendError::about("", e))
            }
        }
    }
}

/// Whether a permanent SMTP refusal (`code`, the server's `text`) is about this email's recipient:
/// no such mailbox, or one that takes no mail. Only that is given up at once. Every other 5xx, an
/// authentication required or refused (530, 535), relaying or policy (5.7.x), a refused sender
/// (5.1.7, 5.1.8), a 554 greeting, comes from the service's own configuration and would refuse
/// every email alike: those are retried up to `MAIL_MAX_ATTEMPTS`, time for an operator to fix
/// it, instead of emptying the queue into dead emails in one round.
pub fn refuses_the_recipient(code: &str, text: &str) -> bool {
    // The enhanced status code (RFC 3463), when the server gives one, decides: `5.1.1` and its
    // kin name the mailbox, whatever words follow (Postfix says "Recipient address rejected:
    // User unknown in relay recipient table" for a mailbox that does not exist).
    let enhanced = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() == 3 && parts[0] == "5" && parts.iter().all(|p| !p.is_empty())
        });
    if let Some(status) = enhanced {
        return (status.starts_with("5.1.") && !matches!(status, "5.1.7" | "5.1.8"))
            || status == "5.2.1";
    }
    // Without one, the basic code and the words, addresses (`<…>`) set aside: `gauthier@…` is
    // not about authentication.
    let mut words = String::new();
    let mut in_address = false;
    for c in text.chars() {
        match c {
            '<' => in_address = true,
            '>' => in_address = false,
            _ if !in_address => words.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    let about_the_service = ["relay", "auth", "sender", "starttls", "tls"]
        .iter()
        .any(|word| words.contains(word));
    !about_the_service && matches!(code, "550" | "551" | "553")
}

/// `<created-at>-<id>.eml`: files sort in the order the emails were queued.
fn file_name(email: &OutboxEmail) -> String {
    format!(
        "{}-{}.eml",
        email.created_at.format("%Y%m%dT%H%M%SZ"),
        email.id
    )
}

/// Writes under a hidden temporary name, then renames: a reader of the folder (a person, the
/// tests) never sees half a message.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{name}.tmp"));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, dir.join(name))
}

/// A `multipart/alternative` message with the text part first (the fallback) and HTML second.
pub fn build_message(
    from: &Mailbox,
    email: &OutboxEmail,
    eight_bit: bool,
) -> Result<Message, SendError> {
    let to: Mailbox = email.recipient.parse().map_err(|e| {
        SendError::refused(&email.recipient, format!("invalid recipient address: {e}"))
    })?;
    // Derived from the outbox id, so a message retried after a lost acknowledgement carries the
    // same Message-ID and the receiving side can recognise the duplicate.
    let message_id = format!("<{}@{}>", email.id, from.email.domain());
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(message_id))
        // RFC 3834: tells auto-responders not to answer.
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, &email.text_body, eight_bit))
                .singlepart(part(ContentType::TEXT_HTML, &email.html_body, eight_bit)),
        )
        .map_err(|e| SendError::about(&email.recipient, e))
}

/// One UTF-8 part: 8bit when asked and allowed, otherwise the encoding lettre judges best
/// (quoted-printable for French text).
fn part(content_type: ContentType, body: &str, eight_bit: bool) -> SinglePart {
    let body = eight_bit
        .then(|| eight_bit_body(body))
        .flatten()
        .unwrap_or_else(|| Body::new(body.to_owned()));
    SinglePart::builder().header(content_type).body(body)
}

/// RFC 5322's limit on a line, without its CRLF.
const MAX_LINE_BYTES: usize = 998;

/// `text` as an 8bit body with CRLF line ends, or `None` when 8bit would be invalid (a line over
/// 998 bytes, a NUL or a lone CR). lettre's own 8bit check also refuses lines over 76 bytes,
/// which would turn every French paragraph into quoted-printable, hence this narrower check.
fn eight_bit_body(text: &str) -> Option<Body> {
    let mut crlf = String::with_capacity(text.len() + text.len() / 40);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.len() > MAX_LINE_BYTES || line.contains(['\0', '\r']) {
            return None;
        }
        crlf.push_str(line);
        crlf.push_str("\r\n");
    }
    Some(Body::dangerous_pre_encoded(
        crlf.into_bytes(),
        ContentTransferEncoding::EightBit,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> OutboxEmail {
        OutboxEmail::new(
            "account_activation",
            "marie.durand@exemple.fr",
            "Votre compte ComptExpert a été créé".into(),
            "Votre identifiant : mdurand\nhttps://app.test/p/tok".into(),
            "<p>Votre identifiant : <strong>mdurand</strong></p>".into(),
        )
    }

    fn from() -> Mailbox {
        "ComptExpert <no-reply@comptexpert.test>"
            .parse()
            .expect("mailbox")
    }

    #[test]
    fn a_file_message_is_readable_french_with_both_parts() {
        let email = email();
        let raw = String::from_utf8(
            build_message(&from(), &email, true)
                .expect("message")
                .formatted(),
        )
        .expect("8bit UTF-8");
        assert!(raw.contains("To: marie.durand@exemple.fr"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(raw.contains("Content-Type: text/html; charset=utf-8"));
        assert!(raw.contains("Content-Transfer-Encoding: 8bit"));
        assert!(raw.contains("Votre identifiant : mdurand"));
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains(&format!("Message-ID: <{}@comptexpert.test>", email.id)));
    }

    #[test]
    fn long_french_lines_stay_eight_bit_on_disk_but_an_overlong_line_falls_back() {
        let mut email = email();
        email.text_body = "Votre compte a été créé. ".repeat(20);
        let raw = String::from_utf8(
            build_message(&from(), &email, true)
                .expect("message")
                .formatted(),
        )
        .expect("UTF-8");
        assert!(
            raw.contains(&email.text_body),
            "a 500-byte line is kept as is"
        );

        email.text_body = "é".repeat(600);
        let raw = build_message(&from(), &email, true)
            .expect("message")
            .formatted();
        let raw = String::from_utf8_lossy(&raw);
        assert!(!raw.contains(&email.text_body));
        assert!(raw.lines().all(|line| line.len() <= MAX_LINE_BYTES));
    }

    #[test]
    fn an_smtp_message_stays_seven_bit() {
        let raw = build_message(&from(), &email(), false)
            .expect("message")
            .formatted();
        assert!(raw.is_ascii());
    }

    #[test]
    fn only_a_refused_recipient_is_permanent_not_the_services_own_configuration() {
        for (code, text) in [
            ("550", "550 5.1.1 No such user here"),
            ("550", "550 No such user here"),
            ("553", "553 mailbox name not allowed"),
            ("550", "550 5.2.1 mailbox disabled"),
            (
                "550",
                "permanent error (550): 5.1.1 <x@exemple.fr>: Recipient address rejected: \
                 User unknown in relay recipient table",
            ),
            (
                "550",
                "permanent error (550): No such user <gauthier@exemple.fr>",
            ),
        ] {
            assert!(refuses_the_recipient(code, text), "{text}");
        }
        for (code, text) in [
            ("535", "535 5.7.8 Authentication credentials invalid"),
            ("530", "530 5.7.0 Must issue a STARTTLS command first"),
            ("550", "550 5.7.1 Relaying denied"),
            ("553", "553 5.1.8 Sender address rejected"),
            ("554", "554 Transaction failed"),
            ("550", "550 relay not permitted"),
            (
                "535",
                "permanent error (535): 5.7.8 Error: authentication failed",
            ),
        ] {
            assert!(!refuses_the_recipient(code, text), "{text}");
        }
    }

    #[test]
    fn an_invalid_recipient_is_reported_without_the_address() {
        let mut email = email();
        email.recipient = "not an address".into();
        let error = build_message(&from(), &email, true).expect_err("invalid");
        assert!(!error.to_string().contains("not an address"), "{error}");
        assert!(error.is_permanent(), "no retry makes it an address");
    }
}
