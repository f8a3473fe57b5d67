//! The language of a response: French by default, English when `Accept-Language` prefers it.
//!
//! The middleware in [`crate::middleware`] reads the header once per request and runs the rest of the
//! request inside [`scope`], so that an error rendered deep in an extractor speaks the caller's language.

use std::borrow::Cow;

/// A language the API speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Français (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The best of our languages for an `Accept-Language` value (RFC 9110 quality values);
    /// French when the header is absent, malformed or names neither language.
    pub fn negotiate(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::Fr;
        };
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            let lang = match primary {
                "fr" => Lang::Fr,
                "en" => Lang::En,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }

    /// The language tag for `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language of the request being served (French outside a request).
    pub fn current() -> Self {
        CURRENT.try_with(|lang| *lang).unwrap_or_default()
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// Runs `future` with `lang` as the request's language.
pub async fn scope<F: std::future::Future>(lang: Lang, future: F) -> F::Output {
    CURRENT.scope(lang, future).await
}

/// A message in both languages of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// French.
    pub fr: Cow<'static, str>,
    /// English.
    pub en: Cow<'static, str>,
}

impl Text {
    /// A message known at compile time.
    pub const fn new(fr: &'static str, en: &'static str) -> Self {
        Self {
            fr: Cow::Borrowed(fr),
            en: Cow::Borrowed(en),
        }
    }

    /// A message built at run time.
    pub fn owned(fr: String, en: String) -> Self {
        Self {
            fr: Cow::Owned(fr),
            en: Cow::Owned(en),
        }
    }

    /// The message in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// "dans 52 minutes" / "in 52 minutes": a wait as a person says it. Seconds under a minute;
/// whole minutes (rounded up, so nobody comes back too early) under an hour; hours and minutes above.
pub fn wait_of(seconds: u64) -> Text {
    fn unit(count: u64, fr: &str, en: &str) -> (String, String) {
        let plural = if count > 1 { "s" } else { "" };
        (
            format!("{count} {fr}{plural}"),
            format!("{count} {en}{plural}"),
        )
    }
    let (fr, en) = if seconds < 60 {
        unit(seconds.max(1), "seconde", "second")
    } else {
        let minutes = seconds.div_ceil(60);
        if minutes < 60 {
            unit(minutes, "minute", "minute")
        } else {
            let (hours_fr, hours_en) = unit(minutes / 60, "heure", "hour");
            match minutes % 60 {
                0 => (hours_fr, hours_en),
                rest => {
                    let (rest_fr, rest_en) = unit(rest, "minute", "minute");
                    (
                        format!("{hours_fr} et {rest_fr}"),
                        format!("{hours_en} and {rest_en}"),
                    )
                }
            }
        }
    };
    Text::owned(format!("dans {fr}"), format!("in {en}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_as_people_say_them() {
        let cases = [
            (0, "dans 1 seconde", "in 1 second"),
            (45, "dans 45 secondes", "in 45 seconds"),
            (60, "dans 1 minute", "in 1 minute"),
            (3141, "dans 53 minutes", "in 53 minutes"),
            (3120, "dans 52 minutes", "in 52 minutes"),
            (3600, "dans 1 heure", "in 1 hour"),
            (
                7500,
                "dans 2 heures et 5 minutes",
                "in 2 hours and 5 minutes",
            ),
        ];
        for (seconds, fr, en) in cases {
            let text = wait_of(seconds);
            assert_eq!(
                (text.fr.as_ref(), text.en.as_ref()),
                (fr, en),
                "{seconds} s"
            );
        }
    }

    #[test]
    fn french_is_the_default() {
        assert_eq!(Lang::negotiate(None), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("de-DE")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("*")), Lang::Fr);
    }

    #[test]
    fn english_when_preferred_by_quality() {
        assert_eq!(Lang::negotiate(Some("en")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en-GB,en;q=0.9,fr;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr-FR,fr;q=0.9,en;q=0.8")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("de;q=1, en;q=0.5")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en;q=0")), Lang::Fr);
    }
}
