//! Reading the emails the application sent: the `.eml` files of `MAIL_DIR` (or raw messages from
//! the SMTP sink), decoded the way a mail client would show them.

use std::time::{Duration, Instant};

use crate::helpers::TestApp;

/// How long [`wait_for_email`] waits: generous, because a loaded two-core machine can be slow.
pub const EMAIL_TIMEOUT: Duration = Duration::from_secs(10);

/// An email as its recipient sees it.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    /// The address of the `To:` header, lowercase.
    pub to: String,
    /// The decoded subject.
    pub subject: String,
    /// The decoded plain-text part.
    pub text: String,
    /// The decoded HTML part.
    pub html: String,
    /// The `http(s)://` links of the text part, in order.
    pub links: Vec<String>,
    /// The message as stored or transmitted, undecoded.
    pub raw: String,
}

impl ReceivedEmail {
    /// Parses an RFC 5322 message (a `multipart/alternative` or a single text part).
    pub fn parse(raw: &str) -> Self {
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap_or_else(|| panic!("not an email: {raw}"));
        let to = message
            .to()
            .and_then(|to| to.first())
            .and_then(|addr| addr.address())
            .unwrap_or_default()
            .to_lowercase();
        let subject = message.subject().unwrap_or_default().to_owned();
        let mut text = String::new();
        let mut html = String::new();
        // The leaf parts as sent: the parser's `body_text`/`body_html` would make up the missing
        // alternative (an HTML rendering of the text), which would hide an email sent without one.
        for part in &message.parts {
            match &part.body {
                mail_parser::PartType::Text(body) => text = body.replace("\r\n", "\n"),
                mail_parser::PartType::Html(body) => html = body.replace("\r\n", "\n"),
                _ => {}
            }
        }
        let links = links_in(&text);
        Self {
            to,
            subject,
            text,
            html,
            links,
            raw: raw.to_owned(),
        }
    }

    /// The first link of the text part.
    pub fn link(&self) -> &str {
        self.links
            .first()
            .map(String::as_str)
            .unwrap_or_else(|| panic!("the email has no link: {}", self.text))
    }
}

/// Every `.eml` file of the application's mail folder, oldest first.
pub fn all_emails(app: &TestApp) -> Vec<ReceivedEmail> {
    let Ok(entries) = std::fs::read_dir(&app.mail_dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let bytes =
                std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            ReceivedEmail::parse(&String::from_utf8_lossy(&bytes))
        })
        .collect()
}

/// The emails sent to `recipient` so far, oldest first.
pub fn emails_to(app: &TestApp, recipient: &str) -> Vec<ReceivedEmail> {
    let recipient = recipient.to_lowercase();
    all_emails(app)
        .into_iter()
        .filter(|e| e.to == recipient)
        .collect()
}

/// Waits for an email to `recipient` and returns the latest one.
pub async fn wait_for_email(app: &TestApp, recipient: &str) -> ReceivedEmail {
    wait_for_emails(app, recipient, 1)
        .await
        .pop()
        .expect("at least one email")
}

/// Waits until `count` emails have been sent to `recipient` and returns them all, oldest first.
pub async fn wait_for_emails(app: &TestApp, recipient: &str, count: usize) -> Vec<ReceivedEmail> {
    let deadline = Instant::now() + EMAIL_TIMEOUT;
    loop {
        let emails = emails_to(app, recipient);
        if emails.len() >= count {
            return emails;
        }
        if Instant::now() >= deadline {
            let seen: Vec<_> = all_emails(app)
                .into_iter()
                .map(|e| format!("{} «{}»", e.to, e.subject))
                .collect();
            panic!(
                "expected {count} email(s) to {recipient} in {} within {EMAIL_TIMEOUT:?}, got {}; all emails: {seen:?}",
                app.mail_dir.display(),
                emails.len()
            );
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `http(s)://` URLs of a text, without trailing punctuation.
fn links_in(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
        .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
        .map(|word| {
            word.trim_end_matches(['.', ',', ';', ':', ')', '»'])
                .to_owned()
        })
        .collect()
}

#[test]
fn decodes_quoted_printable_base64_and_encoded_words() {
    let raw = "To: Marie <Marie@Exemple.fr>\r\n\
        Subject: =?utf-8?b?Vm90cmUgY29tcHRl?=\r\n =?utf-8?q?_cr=C3=A9=C3=A9?=\r\n\
        Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
        --b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
        Lien : https://app.test/p/tok=3D1=\r\n2.\r\n\
        --b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        PHA+w6k8L3A+\r\n--b1--\r\n";
    let email = ReceivedEmail::parse(raw);
    assert_eq!(email.to, "marie@exemple.fr");
    assert_eq!(email.subject, "Votre compte créé");
    assert_eq!(email.text, "Lien : https://app.test/p/tok=12.");
    assert_eq!(email.links, vec!["https://app.test/p/tok=12"]);
    assert_eq!(email.html, "<p>é</p>");
}
