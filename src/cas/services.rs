//! Registering a CAS service (`comptexpert clients add-cas`): its service URL patterns, the
//! attributes it may receive and its single-logout URL, checked before anything is stored.
//!
//! A pattern is either an exact URL, compared character for character with the `service`
//! parameter, or a prefix ending in `/*`: `https://annuaire.example.org/cas/*` admits every URL
//! that starts with `https://annuaire.example.org/cas/` and is in its normal form (so that no
//! `..` or encoded trick leaves the prefix). A prefix always includes the host and a path up to a
//! `/`: there is no pattern that admits any host, and no open match.

use std::fmt;

use chrono::NaiveDateTime;

use crate::{db::cas::CasService, oidc::clients::check_redirect_uri};

/// The attributes a service may be allowed, in the order validation returns them.
pub const KNOWN_ATTRIBUTES: &[&str] = &[
    "firstName",
    "lastName",
    "displayName",
    "email",
    "supraNumber",
    "qualite",
    "qualiteLabel",
    "regions",
];

/// What a service gets unless its registration says otherwise.
pub const DEFAULT_ATTRIBUTES: &[&str] = &["firstName", "lastName", "displayName", "email"];

/// What an operator registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    pub service_id: String,
    pub name: String,
    pub patterns: Vec<String>,
    pub attributes: Vec<String>,
    pub logout_url: Option<String>,
}

/// Why a registration is refused, in words an operator acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidService(pub String);

fn refuse<T>(text: impl Into<String>) -> Result<T, InvalidService> {
    Err(InvalidService(text.into()))
}

/// The normal form of an http(s) URL without fragment, if `text` is one.
fn normal(text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some() && url.fragment().is_none())
        .then(|| url.as_str().to_owned())
}

/// Checks one pattern: an exact URL, or a prefix ending in `/*`, each https (or http on a
/// loopback address), in normal form, without query or fragment for a prefix.
pub fn check_pattern(pattern: &str) -> Result<(), InvalidService> {
    let (url, prefix) = match pattern.strip_suffix('*') {
        Some(prefix) => (prefix, true),
        None => (pattern, false),
    };
    if url.contains('*') {
        return refuse(format!(
            "{pattern:?}: '*' only ends a prefix (https://site.example/app/*)"
        ));
    }
    check_redirect_uri(url).map_err(|e| InvalidService(e.0))?;
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return refuse(format!("{pattern:?}: a service URL is http(s)"));
    }
    if prefix {
        let parsed = url::Url::parse(url).map_err(|e| InvalidService(e.to_string()))?;
        if !url.ends_with('/') || parsed.query().is_some() {
            return refuse(format!(
                "{pattern:?}: a prefix ends in \"/*\" after a path without query \
                 (https://site.example/app/*)"
            ));
        }
    }
    Ok(())
}

/// Whether `pattern` admits the service URL `url`.
pub fn admits(pattern: &str, url: &str) -> bool {
    match pattern.strip_suffix('*') {
        None => pattern == url,
        Some(prefix) => url.starts_with(prefix) && normal(url).as_deref() == Some(url),
    }
}

/// Whether `url` can be a service URL at all (absolute http(s), no fragment): anything else
/// is refused before the registered services are looked at.
pub fn is_service_url(url: &str) -> bool {
    url.len() <= 2048 && normal(url).is_some()
}

impl ServiceSpec {
    /// Checks every field; returns the spec with its lists deduplicated.
    pub fn validate(mut self) -> Result<Self, InvalidService> {
        let id_ok = (3..=64).contains(&self.service_id.len())
            && self
                .service_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !id_ok {
            return refuse(format!(
                "service id {:?}: 3 to 64 characters among a-z, 0-9, '-' and '_'",
                self.service_id
            ));
        }
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return refuse("the name is required, 100 characters at most");
        }
        if self.patterns.is_empty() {
            return refuse("at least one service URL (--service) is required");
        }
        for pattern in &self.patterns {
            check_pattern(pattern)?;
        }
        if let Some(url) = &self.logout_url {
            if normal(url).as_deref() != Some(url.as_str()) {
                return refuse(format!(
                    "{url:?}: the logout URL is an absolute http(s) URL in normal form"
                ));
            }
        }
        if let Some(unknown) = self
            .attributes
            .iter()
            .find(|a| !KNOWN_ATTRIBUTES.contains(&a.as_str()))
        {
            return refuse(format!(
                "unknown attribute {unknown:?} (known: {})",
                KNOWN_ATTRIBUTES.join(", ")
            ));
        }
        self.patterns.sort();
        self.patterns.dedup();
        self.attributes.sort_by_key(|a| {
            KNOWN_ATTRIBUTES
                .iter()
                .position(|k| k == a)
                .unwrap_or(usize::MAX)
        });
        self.attributes.dedup();
        Ok(self)
    }

    /// The row to store.
    pub fn into_service(self, now: NaiveDateTime) -> CasService {
        CasService {
            service_id: self.service_id,
            name: self.name,
            service_patterns: self.patterns.join("\n"),
            attributes: self.attributes.join(" "),
            logout_url: self.logout_url,
            created_at: now,
            updated_at: now,
        }
    }

    /// The spec of a stored service (to change some fields and store it again).
    pub fn of(service: &CasService) -> Self {
        let owned = |items: Vec<&str>| items.into_iter().map(str::to_owned).collect();
        Self {
            service_id: service.service_id.clone(),
            name: service.name.clone(),
            patterns: owned(service.patterns()),
            attributes: owned(service.attributes()),
            logout_url: service.logout_url.clone(),
        }
    }
}

/// How `comptexpert clients show` prints a CAS service.
pub struct Shown<'a>(pub &'a CasService);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        writeln!(f, "CAS service {} ({})", s.service_id, s.name)?;
        for pattern in s.patterns() {
            writeln!(f, "  service URL:     {pattern}")?;
        }
        if let Some(url) = &s.logout_url {
            writeln!(f, "  single logout:   {url}")?;
        }
        write!(f, "  attributes:      {}", s.attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ServiceSpec {
        ServiceSpec {
            service_id: "annuaire-cas".into(),
            name: "Annuaire".into(),
            patterns: vec!["https://annuaire.example/cas/*".into()],
            attributes: vec!["email".into(), "firstName".into()],
            logout_url: None,
        }
    }

    #[test]
    fn a_prefix_admits_only_normal_urls_below_it_on_the_same_host() {
        let p = "https://annuaire.example/cas/*";
        assert!(admits(p, "https://annuaire.example/cas/login?next=%2F"));
        assert!(admits(p, "https://annuaire.example/cas/"));
        for refused in [
            "https://annuaire.example/cas",
            "https://annuaire.example/other/",
            "https://annuaire.example.evil/cas/",
            "https://annuaire.example/cas/../admin",
            "https://annuaire.example/cas/x#frag",
            "http://annuaire.example/cas/",
        ] {
            assert!(!admits(p, refused), "{refused}");
        }
    }

    #[test]
    fn an_exact_pattern_is_compared_character_for_character() {
        let p = "https://annuaire.example/callback";
        assert!(admits(p, p));
        assert!(!admits(p, "https://annuaire.example/callback?x=1"));
        assert!(!admits(p, "https://annuaire.example/callback/"));
    }

    #[test]
    fn open_or_hostless_patterns_are_refused() {
        for bad in [
            "*",
            "https://*",
            "https://*.example/",
            "https://annuaire.example*",
            "https://annuaire.example/cas*",
            "https://annuaire.example/cas/?a=1*",
            "http://annuaire.example/",
            "fr.example.app:/cb",
        ] {
            let mut s = spec();
            s.patterns = vec![bad.into()];
            assert!(s.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn attributes_are_known_and_kept_in_their_order() {
        let ok = spec().validate().expect("a valid spec");
        assert_eq!(ok.attributes, vec!["firstName", "email"]);
        let mut s = spec();
        s.attributes = vec!["password".into()];
        assert!(s.validate().is_err());
    }
}
