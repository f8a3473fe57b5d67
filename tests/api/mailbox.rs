//! Reading the emails the application sent: the `.eml` files of `MAIL_DIR` (or raw messages from
//! the SMTP sink), decoded the way a mail client would show them.

use std::time::{Duration, Instant};

use base64::Engine;

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
        let normalised = raw.replace("\r\n", "\n");
        let (headers, body) = split_entity(&normalised);
        let to = header(&headers, "to")
            .map(|v| address_of(&v))
            .unwrap_or_default();
        let subject = header(&headers, "subject")
            .map(|v| decode_words(&v))
            .unwrap_or_default();
        let mut text = String::new();
        let mut html = String::new();
        for (part_headers, part_body) in parts(&headers, body) {
            let content_type = header(&part_headers, "content-type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let encoding = header(&part_headers, "content-transfer-encoding").unwrap_or_default();
            let decoded = decode_body(part_body, &encoding);
            if content_type.starts_with("text/html") {
                html = decoded;
            } else if content_type.starts_with("text/plain") || content_type.is_empty() {
                text = decoded;
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

type Headers = Vec<(String, String)>;

/// Splits an entity into its unfolded headers (names lowercase) and its body.
fn split_entity(entity: &str) -> (Headers, &str) {
    let (head, body) = entity.split_once("\n\n").unwrap_or((entity, ""));
    let mut headers: Headers = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header(headers: &Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// `Name <a@b>` or `a@b` → `a@b`, lowercase.
fn address_of(value: &str) -> String {
    let address = match (value.rfind('<'), value.rfind('>')) {
        (Some(start), Some(end)) if start < end => &value[start + 1..end],
        _ => value,
    };
    address.trim().to_lowercase()
}

/// The leaf parts of a body: the parts of a multipart, or the body itself.
fn parts<'a>(headers: &Headers, body: &'a str) -> Vec<(Headers, &'a str)> {
    let content_type = header(headers, "content-type").unwrap_or_default();
    let Some(boundary) = boundary_of(&content_type) else {
        return vec![(headers.clone(), body)];
    };
    let delimiter = format!("--{boundary}");
    let mut leaves = Vec::new();
    for chunk in body.split(&delimiter).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
        let chunk = chunk.strip_suffix('\n').unwrap_or(chunk);
        let (part_headers, part_body) = split_entity(chunk);
        leaves.extend(parts(&part_headers, part_body));
    }
    leaves
}

fn boundary_of(content_type: &str) -> Option<String> {
    if !content_type.to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    content_type.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("boundary"))
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn decode_body(body: &str, encoding: &str) -> String {
    let bytes = match encoding.trim().to_ascii_lowercase().as_str() {
        "quoted-printable" => quoted_printable(body, false),
        "base64" => base64_bytes(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).expect("a UTF-8 part")
}

fn base64_bytes(encoded: &str) -> Vec<u8> {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("valid base64")
}

/// Quoted-printable (RFC 2045 §6.7); with `underscores`, the "Q" flavour of encoded words.
fn quoted_printable(encoded: &str, underscores: bool) -> Vec<u8> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' => match bytes
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
            {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b'_' if underscores => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); whitespace between two
/// encoded words is dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut between = String::new();
    let mut rest = value;
    while !rest.is_empty() {
        if let Some((bytes, consumed)) = encoded_word(rest) {
            pending.extend(bytes);
            between.clear();
            rest = &rest[consumed..];
            continue;
        }
        let c = rest.chars().next().expect("a character");
        if c.is_whitespace() && !pending.is_empty() {
            between.push(c);
        } else {
            if !pending.is_empty() {
                out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut pending)));
                out.push_str(&std::mem::take(&mut between));
            }
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    out.push_str(&between);
    out
}

/// The bytes of the encoded word at the start of `text`, and its length.
fn encoded_word(text: &str) -> Option<(Vec<u8>, usize)> {
    let inner = text.strip_prefix("=?")?;
    let (_charset, after) = inner.split_once('?')?;
    let (encoding, after) = after.split_once('?')?;
    let end = after.find("?=")?;
    let payload = &after[..end];
    if payload.contains(' ') {
        return None;
    }
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "b" => base64_bytes(payload),
        "q" => quoted_printable(payload, true),
        _ => return None,
    };
    let consumed = text.len() - (after.len() - end - 2);
    Some((bytes, consumed))
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
