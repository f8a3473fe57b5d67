//! The emails ComptExpert sends, in French: one folder per email under `templates/<kind>/`
//! holding `subject.txt`, `body.txt` and `body.html`, wrapped in a shared layout.
//!
//! Templates are compiled in (`include_str!`) so a deployment cannot lose them, and filled by
//! the small substitution of `render.rs`. Every value is HTML-escaped in the HTML part; only
//! blocks built here (lists) carry markup.

use super::render::{escape_html, fill, Part, Var};

/// An email to send, with what it needs to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    /// A member's account was created: the identifier and the link that initialises the password.
    AccountActivation {
        /// How to greet the person ("Marie Durand").
        greeting_name: String,
        /// The new account's identifier.
        identifier: String,
        /// One-time link to initialise the password.
        link: String,
        /// How long the link stays valid.
        valid_hours: u32,
    },
    /// A registration was asked for a member who already has an account.
    AccountAlreadyExists {
        /// How to greet the person.
        greeting_name: String,
        /// The existing account's identifier.
        identifier: String,
        /// One-time link to choose a new password, should it be forgotten.
        reset_link: String,
        /// How long the link stays valid.
        valid_hours: u32,
    },
    /// An "Autre profil" (RAC) account was created.
    RacAccountCreated {
        /// How to greet the person.
        greeting_name: String,
        /// The identifier the person chose.
        identifier: String,
        /// One-time link to initialise the password.
        link: String,
        /// How long the link stays valid.
        valid_hours: u32,
    },
    /// A registration was attempted with an address that already has accounts.
    EmailAlreadyUsed {
        /// The identifiers of the accounts using this address.
        identifiers: Vec<String>,
        /// The "Identifiant ou mot de passe oublié" page.
        recovery_url: String,
    },
    /// Lost identifier or password (Partie 3 of the guide): every account of the address.
    PasswordReset {
        /// Each account's identifier with its own one-time reset link.
        accounts: Vec<(String, String)>,
        /// How long the links stay valid.
        valid_hours: u32,
    },
    /// The password was changed or reset; the other sessions were signed out.
    PasswordChanged {
        /// How to greet the person.
        greeting_name: String,
    },
    /// Sent to the new address of an email change, to prove it belongs to the account holder.
    EmailChangeVerification {
        /// How to greet the person.
        greeting_name: String,
        /// One-time link that confirms the new address.
        link: String,
        /// How long the link stays valid.
        valid_hours: u32,
    },
    /// Sent to the old address of an email change.
    EmailChangeNotice {
        /// How to greet the person.
        greeting_name: String,
        /// The new address, masked (`m…@exemple.fr`).
        new_email_masked: String,
    },
    /// Something changed in how the account signs in (device enrolled or removed…).
    SecurityNotice {
        /// How to greet the person.
        greeting_name: String,
        /// What happened, as a French sentence.
        event_fr: String,
        /// What happened, in English; the French email does not use it.
        event_en: String,
    },
}

/// An email ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// The template's name (`account_activation`…), stored with the message.
    pub kind: &'static str,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

/// The three files of one email.
struct Files {
    kind: &'static str,
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

macro_rules! files {
    ($kind:literal) => {
        Files {
            kind: $kind,
            subject: include_str!(concat!("templates/", $kind, "/subject.txt")),
            text: include_str!(concat!("templates/", $kind, "/body.txt")),
            html: include_str!(concat!("templates/", $kind, "/body.html")),
        }
    };
}

const LAYOUT_TEXT: &str = include_str!("templates/layout.txt");
const LAYOUT_HTML: &str = include_str!("templates/layout.html");

/// "1 heure", "24 heures".
fn hours_fr(hours: u32) -> String {
    if hours == 1 {
        "1 heure".to_owned()
    } else {
        format!("{hours} heures")
    }
}

fn identifier_list(identifiers: &[String]) -> Var {
    let text = identifiers
        .iter()
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let items: String = identifiers
        .iter()
        .map(|i| format!("<li><strong>{}</strong></li>\n", escape_html(i)))
        .collect();
    Var::block("identifiers", text, format!("<ul>\n{items}</ul>"))
}

fn account_list(accounts: &[(String, String)]) -> Var {
    let text = accounts
        .iter()
        .map(|(identifier, link)| {
            format!("Identifiant : {identifier}\nChoisir un nouveau mot de passe :\n{link}")
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let items: String = accounts
        .iter()
        .map(|(identifier, link)| {
            let (identifier, link) = (escape_html(identifier), escape_html(link));
            format!(
                "<li style=\"margin-bottom:12px;\">Identifiant : <strong>{identifier}</strong><br>\
                 <a href=\"{link}\">Choisir un nouveau mot de passe pour {identifier}</a><br>\
                 <span style=\"font-size:13px;color:#5f6b7a;\">{link}</span></li>\n"
            )
        })
        .collect();
    Var::block("accounts", text, format!("<ul>\n{items}</ul>"))
}

impl Template {
    /// Subject, text and HTML of this email.
    pub fn render(&self) -> RenderedEmail {
        let (files, vars) = self.parts();
        let subject = files.subject.trim().to_owned();
        let text = fill(
            LAYOUT_TEXT.trim_end(),
            &[Var::block(
                "content",
                fill(files.text, &vars, Part::Text).trim_end().to_owned(),
                String::new(),
            )],
            Part::Text,
        );
        let html = fill(
            LAYOUT_HTML.trim_end(),
            &[
                Var::plain("subject", subject.clone()),
                Var::block(
                    "content",
                    String::new(),
                    fill(files.html, &vars, Part::Html).trim_end().to_owned(),
                ),
            ],
            Part::Html,
        );
        RenderedEmail {
            kind: files.kind,
            subject,
            text,
            html,
        }
    }

    /// The template's files and the values of its placeholders.
    fn parts(&self) -> (Files, Vec<Var>) {
        match self {
            Self::AccountActivation {
                greeting_name,
                identifier,
                link,
                valid_hours,
            } => (
                files!("account_activation"),
                vec![
                    Var::plain("greeting_name", greeting_name.as_str()),
                    Var::plain("identifier", identifier.as_str()),
                    Var::plain("link", link.as_str()),
                    Var::plain("valid_for", hours_fr(*valid_hours)),
                ],
            ),
            Self::AccountAlreadyExists {
                greeting_name,
                identifier,
                reset_link,
                valid_hours,
            } => (
                files!("account_already_exists"),
                vec![
                    Var::plain("greeting_name", greeting_name.as_str()),
                    Var::plain("identifier", identifier.as_str()),
                    Var::plain("reset_link", reset_link.as_str()),
                    Var::plain("valid_for", hours_fr(*valid_hours)),
                ],
            ),
            Self::RacAccountCreated {
                greeting_name,
                identifier,
                link,
                valid_hours,
            } => (
                files!("rac_account_created"),
                vec![
                    Var::plain("greeting_name", greeting_name.as_str()),
                    Var::plain("identifier", identifier.as_str()),
                    Var::plain("link", link.as_str()),
                    Var::plain("valid_for", hours_fr(*valid_hours)),
                ],
            ),
            Self::EmailAlreadyUsed {
                identifiers,
                recovery_url,
            } => (
                files!("email_already_used"),
                vec![
                    Var::plain(
                        "accounts_phrase",
                        if identifiers.len() > 1 {
                            "aux comptes suivants"
                        } else {
                            "au compte suivant"
                        },
                    ),
                    identifier_list(identifiers),
                    Var::plain("recovery_url", recovery_url.as_str()),
                ],
            ),
            Self::PasswordReset {
                accounts,
                valid_hours,
            } => (
                files!("password_reset"),
                vec![
                    Var::plain(
                        "accounts_intro",
                        if accounts.len() > 1 {
                            "Plusieurs comptes sont associés à cette adresse email : voici chaque identifiant, \
                             avec le lien qui permet de choisir un nouveau mot de passe pour ce compte."
                        } else {
                            "Voici l'identifiant associé à cette adresse email, avec le lien qui permet de \
                             choisir un nouveau mot de passe."
                        },
                    ),
                    account_list(accounts),
                    Var::plain("valid_for", hours_fr(*valid_hours)),
                ],
            ),
            Self::PasswordChanged { greeting_name } => (
                files!("password_changed"),
                vec![Var::plain("greeting_name", greeting_name.as_str())],
            ),
            Self::EmailChangeVerification {
                greeting_name,
                link,
                valid_hours,
            } => (
                files!("email_change_verification"),
                vec![
                    Var::plain("greeting_name", greeting_name.as_str()),
                    Var::plain("link", link.as_str()),
                    Var::plain("valid_for", hours_fr(*valid_hours)),
                ],
            ),
            Self::EmailChangeNotice {
                greeting_name,
                new_email_masked,
            } => (
                files!("email_change_notice"),
                vec![
                    Var::plain("greeting_name", greeting_name.as_str()),
                    Var::plain("new_email_masked", new_email_masked.as_str()),
                ],
            ),
            Self::SecurityNotice {
                greeting_name,
                event_fr,
                event_en: _,
            } => (
                files!("security_notice"),
                vec![
                    Var::plain("greeting_name", greeting_name.as_str()),
                    Var::plain("event", event_fr.as_str()),
                ],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_variant() -> Vec<Template> {
        vec![
            Template::AccountActivation {
                greeting_name: "Marie Durand".into(),
                identifier: "mdurand".into(),
                link: "https://app.test/mot-de-passe/tok-activation".into(),
                valid_hours: 48,
            },
            Template::AccountAlreadyExists {
                greeting_name: "Marie Durand".into(),
                identifier: "mdurand".into(),
                reset_link: "https://app.test/mot-de-passe/tok-exists".into(),
                valid_hours: 1,
            },
            Template::RacAccountCreated {
                greeting_name: "Paul Martin".into(),
                identifier: "pmartin.cabinet".into(),
                link: "https://app.test/mot-de-passe/tok-rac".into(),
                valid_hours: 48,
            },
            Template::EmailAlreadyUsed {
                identifiers: vec!["mdurand".into(), "mdurand2".into()],
                recovery_url: "https://app.test/identifiants-oublies".into(),
            },
            Template::PasswordReset {
                accounts: vec![
                    (
                        "mdurand".into(),
                        "https://app.test/mot-de-passe/tok-reset-1".into(),
                    ),
                    (
                        "mdurand2".into(),
                        "https://app.test/mot-de-passe/tok-reset-2".into(),
                    ),
                ],
                valid_hours: 1,
            },
            Template::PasswordChanged {
                greeting_name: "Marie Durand".into(),
            },
            Template::EmailChangeVerification {
                greeting_name: "Marie Durand".into(),
                link: "https://app.test/email/tok-verify".into(),
                valid_hours: 24,
            },
            Template::EmailChangeNotice {
                greeting_name: "Marie Durand".into(),
                new_email_masked: "m…@nouveau.fr".into(),
            },
            Template::SecurityNotice {
                greeting_name: "Marie Durand".into(),
                event_fr: "Un appareil Expertpass a été associé à votre compte.".into(),
                event_en: "An Expertpass device was enrolled.".into(),
            },
        ]
    }

    /// What each variant must show the reader: its identifier, link or event.
    fn essentials(template: &Template) -> Vec<String> {
        match template {
            Template::AccountActivation {
                identifier, link, ..
            }
            | Template::RacAccountCreated {
                identifier, link, ..
            } => vec![identifier.clone(), link.clone()],
            Template::AccountAlreadyExists {
                identifier,
                reset_link,
                ..
            } => {
                vec![identifier.clone(), reset_link.clone()]
            }
            Template::EmailAlreadyUsed {
                identifiers,
                recovery_url,
            } => identifiers
                .iter()
                .cloned()
                .chain([recovery_url.clone()])
                .collect(),
            Template::PasswordReset { accounts, .. } => accounts
                .iter()
                .flat_map(|(i, l)| [i.clone(), l.clone()])
                .collect(),
            Template::PasswordChanged { greeting_name } => vec![greeting_name.clone()],
            Template::EmailChangeVerification { link, .. } => vec![link.clone()],
            Template::EmailChangeNotice {
                new_email_masked, ..
            } => vec![new_email_masked.clone()],
            Template::SecurityNotice { event_fr, .. } => vec![event_fr.clone()],
        }
    }

    #[test]
    fn every_email_renders_a_subject_a_text_and_an_html_part_with_what_it_is_about() {
        for template in every_variant() {
            let email = template.render();
            assert!(
                !email.subject.is_empty() && !email.subject.contains('\n'),
                "{email:?}"
            );
            assert!(email.html.starts_with("<!DOCTYPE html>"), "{}", email.kind);
            for part in [&email.subject, &email.text, &email.html] {
                assert!(
                    !part.contains("{{"),
                    "a placeholder was left in {}: {part}",
                    email.kind
                );
            }
            for essential in essentials(&template) {
                assert!(
                    email.text.contains(&essential),
                    "{} text lacks {essential}",
                    email.kind
                );
                assert!(
                    email.html.contains(&escape_html(&essential)),
                    "{} HTML lacks {essential}",
                    email.kind
                );
            }
            assert!(
                email.text.contains("L'équipe ComptExpert"),
                "{}",
                email.kind
            );
        }
    }

    #[test]
    fn every_email_has_its_own_kind_and_subject() {
        let emails: Vec<_> = every_variant().iter().map(Template::render).collect();
        let mut kinds: Vec<_> = emails.iter().map(|e| e.kind).collect();
        let mut subjects: Vec<_> = emails.iter().map(|e| e.subject.clone()).collect();
        kinds.sort();
        kinds.dedup();
        subjects.sort();
        subjects.dedup();
        assert_eq!(kinds.len(), emails.len());
        assert_eq!(subjects.len(), emails.len());
    }

    #[test]
    fn activation_gives_the_identifier_and_how_long_the_link_lasts() {
        let email = every_variant().remove(0).render();
        assert_eq!(email.kind, "account_activation");
        assert_eq!(email.subject, "Votre compte ComptExpert a été créé");
        assert!(email.text.contains("Votre identifiant : mdurand"));
        assert!(email.text.contains("valable 48 heures"));
        assert!(email
            .html
            .contains(r#"href="https://app.test/mot-de-passe/tok-activation""#));
    }

    #[test]
    fn values_are_escaped_in_html_but_not_in_text() {
        let email = Template::AccountActivation {
            greeting_name: "<script>alert('x')</script> & Cie".into(),
            identifier: "a\"b".into(),
            link: "https://app.test/p?a=1&b=2".into(),
            valid_hours: 1,
        }
        .render();
        assert!(email
            .html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Cie"));
        assert!(email.html.contains("a&quot;b"));
        assert!(email
            .html
            .contains(r#"href="https://app.test/p?a=1&amp;b=2""#));
        assert!(!email.html.contains("<script>"));
        assert!(email.text.contains("<script>alert('x')</script> & Cie"));
        assert!(email.text.contains("https://app.test/p?a=1&b=2"));
        assert!(email.text.contains("valable 1 heure "));
    }

    #[test]
    fn a_value_that_looks_like_a_placeholder_is_not_substituted() {
        let email = Template::PasswordChanged {
            greeting_name: "{{link}}".into(),
        }
        .render();
        assert!(email.text.contains("Bonjour {{link}},"));
    }

    #[test]
    fn lists_escape_each_entry() {
        let email = Template::EmailAlreadyUsed {
            identifiers: vec!["<b>x</b>".into()],
            recovery_url: "https://app.test/r".into(),
        }
        .render();
        assert!(email
            .html
            .contains("<li><strong>&lt;b&gt;x&lt;/b&gt;</strong></li>"));
        assert!(email.text.contains("au compte suivant"));
        assert!(email.text.contains("  - <b>x</b>"));
    }
}
