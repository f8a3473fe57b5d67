//! Registering a relying party: what an operator gives (`comptexpert clients add`), checked
//! before anything is stored, and the secret handed out once.

use std::fmt;

use chrono::NaiveDateTime;

use crate::{db::oauth_clients::OAuthClient, domain::tokens};

/// The scopes this provider knows: `openid` (required), `profile`, `email`, `ordre` (SUPRA number,
/// qualité and regions) and `offline_access` (a refresh token).
pub const KNOWN_SCOPES: &[&str] = &["openid", "profile", "email", "ordre", "offline_access"];

/// Access tokens issued to a client live between a minute and an hour (15 minutes by default).
pub const ACCESS_TOKEN_SECONDS: std::ops::RangeInclusive<i32> = 60..=3600;
/// Its refresh tokens, between an hour and ninety days (30 days by default).
pub const REFRESH_TOKEN_SECONDS: std::ops::RangeInclusive<i32> = 3600..=90 * 24 * 3600;

/// What an operator registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    pub client_id: String,
    pub name: String,
    pub confidential: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub id_token_alg: String,
    pub access_token_seconds: i32,
    pub refresh_token_seconds: i32,
}

/// Why a registration is refused, in words an operator acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidClient(pub String);

fn refuse<T>(text: impl Into<String>) -> Result<T, InvalidClient> {
    Err(InvalidClient(text.into()))
}

/// A redirect URI a client may register (RFC 6749 §3.1.2, RFC 8252 §7, OAuth 2.0 Security BCP
/// §4.1): absolute, without a fragment, `https`, or `http` on a loopback address only (a
/// developer's machine, a native application's local listener), or a private-use scheme in
/// reverse-domain form for a mobile application (`fr.experts-comptables.app:/callback`).
pub fn check_redirect_uri(text: &str) -> Result<(), InvalidClient> {
    let Ok(url) = url::Url::parse(text) else {
        return refuse(format!("{text:?} is not an absolute URI"));
    };
    if url.fragment().is_some() {
        return refuse(format!(
            "{text:?} has a fragment (#…), which a redirect URI may not"
        ));
    }
    if url.as_str() != text {
        // Compared exactly at every request: what is stored must be what clients send.
        return refuse(format!(
            "{text:?} is not in its normal form; register {:?}",
            url.as_str()
        ));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Domain("localhost")) => Ok(()),
            _ => refuse(format!(
                "{text:?}: plain http only on a loopback address (127.0.0.1, [::1], localhost)"
            )),
        },
        scheme if scheme.contains('.') && url.host().is_none() => Ok(()),
        _ => refuse(format!(
            "{text:?}: use https, http on loopback, or a reverse-domain scheme (fr.example.app:/cb)"
        )),
    }
}

impl ClientSpec {
    /// Checks every field; returns the spec with its lists sorted and deduplicated.
    pub fn validate(mut self) -> Result<Self, InvalidClient> {
        let id_ok = (3..=64).contains(&self.client_id.len())
            && self
                .client_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !id_ok {
            return refuse(format!(
                "client id {:?}: 3 to 64 characters among a-z, 0-9, '-' and '_'",
                self.client_id
            ));
        }
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return refuse("the name is required, 100 characters at most");
        }
        if self.redirect_uris.is_empty() {
            return refuse("at least one redirect URI is required");
        }
        for uri in self
            .redirect_uris
            .iter()
            .chain(&self.post_logout_redirect_uris)
            .chain(&self.backchannel_logout_uri)
        {
            check_redirect_uri(uri)?;
        }
        if let Some(uri) = &self.backchannel_logout_uri {
            if !uri.starts_with("https://") && !uri.starts_with("http://") {
                return refuse(format!("{uri:?}: a back-channel logout URI is http(s)"));
            }
        }
        if let Some(unknown) = self
            .scopes
            .iter()
            .find(|s| !KNOWN_SCOPES.contains(&s.as_str()))
        {
            return refuse(format!(
                "unknown scope {unknown:?} (known: {})",
                KNOWN_SCOPES.join(", ")
            ));
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            self.scopes.insert(0, "openid".into());
        }
        if !matches!(self.id_token_alg.as_str(), "RS256" | "EdDSA") {
            return refuse(format!(
                "ID token algorithm {:?}: RS256 or EdDSA",
                self.id_token_alg
            ));
        }
        if !ACCESS_TOKEN_SECONDS.contains(&self.access_token_seconds) {
            return refuse("access tokens live 60 to 3600 seconds");
        }
        if !REFRESH_TOKEN_SECONDS.contains(&self.refresh_token_seconds) {
            return refuse("refresh tokens live 3600 seconds to 90 days");
        }
        for list in [
            &mut self.redirect_uris,
            &mut self.post_logout_redirect_uris,
            &mut self.scopes,
        ] {
            list.sort();
            list.dedup();
        }
        Ok(self)
    }

    /// The row to store, with a new secret for a confidential client (returned, never stored).
    pub fn into_client(self, now: NaiveDateTime) -> (OAuthClient, Option<String>) {
        let secret = self.confidential.then(tokens::random_token);
        let client = OAuthClient {
            client_id: self.client_id,
            name: self.name,
            confidential: self.confidential,
            secret_hash: secret.as_deref().map(tokens::digest),
            redirect_uris: self.redirect_uris.join("\n"),
            post_logout_redirect_uris: self.post_logout_redirect_uris.join("\n"),
            scopes: self.scopes.join(" "),
            backchannel_logout_uri: self.backchannel_logout_uri,
            id_token_alg: self.id_token_alg,
            access_token_seconds: self.access_token_seconds,
            refresh_token_seconds: self.refresh_token_seconds,
            created_at: now,
            updated_at: now,
        };
        (client, secret)
    }

    /// The spec of a stored client (to change some fields and store it again).
    pub fn of(client: &OAuthClient) -> Self {
        let owned = |items: Vec<&str>| items.into_iter().map(str::to_owned).collect();
        Self {
            client_id: client.client_id.clone(),
            name: client.name.clone(),
            confidential: client.confidential,
            redirect_uris: owned(client.redirect_uris()),
            post_logout_redirect_uris: owned(client.post_logout_redirect_uris()),
            scopes: owned(client.scopes()),
            backchannel_logout_uri: client.backchannel_logout_uri.clone(),
            id_token_alg: client.id_token_alg.clone(),
            access_token_seconds: client.access_token_seconds,
            refresh_token_seconds: client.refresh_token_seconds,
        }
    }
}

/// Whether `presented` is the secret of `client` (compared as digests, in constant time).
pub fn secret_matches(client: &OAuthClient, presented: &str) -> bool {
    let Some(stored) = &client.secret_hash else {
        return false;
    };
    let digest = tokens::digest(presented);
    // Both are hex digests of the same length: compare every byte whatever the first mismatch.
    stored.len() == digest.len()
        && stored
            .bytes()
            .zip(digest.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// How `comptexpert clients show` prints a client.
pub struct Shown<'a>(pub &'a OAuthClient);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        writeln!(f, "client {} ({})", c.client_id, c.name)?;
        writeln!(
            f,
            "  type:            {}",
            if c.confidential {
                "confidential (client_secret_basic or client_secret_post)"
            } else {
                "public (PKCE, no secret)"
            }
        )?;
        for uri in c.redirect_uris() {
            writeln!(f, "  redirect URI:    {uri}")?;
        }
        for uri in c.post_logout_redirect_uris() {
            writeln!(f, "  after logout:    {uri}")?;
        }
        if let Some(uri) = &c.backchannel_logout_uri {
            writeln!(f, "  back-channel:    {uri}")?;
        }
        writeln!(f, "  scopes:          {}", c.scopes)?;
        writeln!(f, "  ID tokens:       {}", c.id_token_alg)?;
        write!(
            f,
            "  token lifetimes: access {} s, refresh {} s",
            c.access_token_seconds, c.refresh_token_seconds
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ClientSpec {
        ClientSpec {
            client_id: "annuaire".into(),
            name: "Annuaire de l'Ordre".into(),
            confidential: true,
            redirect_uris: vec!["https://annuaire.example/callback".into()],
            post_logout_redirect_uris: vec![],
            scopes: vec!["profile".into(), "email".into()],
            backchannel_logout_uri: None,
            id_token_alg: "RS256".into(),
            access_token_seconds: 900,
            refresh_token_seconds: 30 * 24 * 3600,
        }
    }

    #[test]
    fn redirect_uris_are_https_loopback_http_or_a_reverse_domain_scheme() {
        for good in [
            "https://annuaire.example/callback",
            "https://annuaire.example/callback?site=paris",
            "http://127.0.0.1:8765/callback",
            "http://localhost:3000/cb",
            "http://[::1]:8765/cb",
            "fr.experts-comptables.app:/callback",
        ] {
            assert_eq!(check_redirect_uri(good), Ok(()), "{good}");
        }
        for bad in [
            "/callback",
            "http://annuaire.example/callback",
            "https://annuaire.example/callback#frag",
            "https://Annuaire.example/callback",
            "javascript:alert(1)",
            "data:text/html,hi",
            "myapp:/cb",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_valid_spec_gets_openid_and_a_secret_shown_once_and_stored_hashed() {
        let checked = spec().validate().expect("valid");
        assert_eq!(checked.scopes, vec!["email", "openid", "profile"]);
        let (client, secret) = checked.into_client(crate::db::now());
        let secret = secret.expect("a confidential client has a secret");
        assert_ne!(client.secret_hash.as_deref(), Some(secret.as_str()));
        assert!(secret_matches(&client, &secret));
        assert!(!secret_matches(&client, "guess"));
        assert_eq!(
            ClientSpec::of(&client).scopes,
            vec!["email", "openid", "profile"]
        );
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        type Change = fn(&mut ClientSpec);
        let cases: [(Change, &str); 6] = [
            (|s| s.client_id = "A B".into(), "client id"),
            (|s| s.redirect_uris.clear(), "at least one redirect URI"),
            (|s| s.scopes.push("admin".into()), "unknown scope"),
            (|s| s.id_token_alg = "HS256".into(), "RS256 or EdDSA"),
            (|s| s.access_token_seconds = 86_400, "access tokens"),
            (|s| s.name = "  ".into(), "name"),
        ];
        for (change, expected) in cases {
            let mut wrong = spec();
            change(&mut wrong);
            let error = wrong.validate().expect_err(expected).to_string();
            assert!(error.contains(expected), "{error}");
        }
        let public = ClientSpec {
            confidential: false,
            ..spec()
        };
        let (client, secret) = public
            .validate()
            .expect("valid")
            .into_client(crate::db::now());
        assert!(secret.is_none() && client.secret_hash.is_none());
        assert!(!secret_matches(&client, ""));
    }
}
