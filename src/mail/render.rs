//! The tiny `{{name}}` substitution behind the email templates: a template is text a
//! translator can edit, not code, so nothing more than named placeholders is offered.

/// One `{{name}}` and what replaces it in each part.
pub(super) struct Var {
    name: &'static str,
    text: String,
    html: String,
}

impl Var {
    /// A value given by the caller: as is in the text, escaped in the HTML.
    pub(super) fn plain(name: &'static str, value: impl Into<String>) -> Self {
        let text = value.into();
        Self {
            name,
            html: escape_html(&text),
            text,
        }
    }

    /// A block built here, whose HTML form is markup around already-escaped values.
    pub(super) fn block(name: &'static str, text: String, html: String) -> Self {
        Self { name, text, html }
    }
}

/// Which part of the email is being filled.
#[derive(Clone, Copy)]
pub(super) enum Part {
    /// `text/plain`: values as they are.
    Text,
    /// `text/html`: values escaped.
    Html,
}

/// Escapes the five characters that matter in HTML text and attribute values.
pub(super) fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Replaces each `{{name}}` of `template` in one pass, so a value that happens to contain
/// braces is never read as a placeholder. An unknown name stays as is (the tests catch it).
pub(super) fn fill(template: &str, vars: &[Var], part: Part) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let found = after.find("}}").and_then(|end| {
            let name = after[..end].trim();
            vars.iter().find(|v| v.name == name).map(|v| (v, end))
        });
        match found {
            Some((var, end)) => {
                out.push_str(match part {
                    Part::Text => &var.text,
                    Part::Html => &var.html,
                });
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_characters_that_matter_in_html() {
        assert_eq!(
            escape_html(r#"<a href="x">L'été & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;L&#39;été &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn fills_each_part_with_its_own_form_of_a_value() {
        let vars = [Var::plain("name", "<b>Marie</b>")];
        assert_eq!(
            fill("Bonjour {{name}} !", &vars, Part::Text),
            "Bonjour <b>Marie</b> !"
        );
        assert_eq!(
            fill("Bonjour {{ name }} !", &vars, Part::Html),
            "Bonjour &lt;b&gt;Marie&lt;/b&gt; !"
        );
    }

    #[test]
    fn leaves_unknown_and_unclosed_placeholders_as_they_are() {
        let vars = [Var::plain("name", "Marie")];
        assert_eq!(
            fill("{{other}} {{name}} {{", &vars, Part::Text),
            "{{other}} Marie {{"
        );
    }

    #[test]
    fn never_reads_a_value_as_a_placeholder() {
        let vars = [Var::plain("a", "{{b}}"), Var::plain("b", "x")];
        assert_eq!(fill("{{a}}{{b}}", &vars, Part::Text), "{{b}}x");
    }
}
