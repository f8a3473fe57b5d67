//! The CAS 3.0 server (Apereo's specification, version 3.0.3) for the Ordre's sites that
//! already speak it: the registered services, and the documents the protocol exchanges (the
//! validation responses in XML and JSON, the SAML `LogoutRequest` of single logout). The flows
//! are in `crate::flows::cas`.

pub mod services;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// The namespace of the validation responses (CAS 3.0 Appendix A).
pub const CAS_NAMESPACE: &str = "http://www.yale.edu/tp/cas";

/// The failure codes of ticket validation (CAS 3.0 §2.5.3, §2.7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Not all of the required parameters were present.
    InvalidRequest,
    /// The ticket did not meet the validation's requirements (`renew=true`).
    InvalidTicketSpec,
    /// Not recognised, expired, already used, or a proxy ticket (not served here).
    InvalidTicket,
    /// The ticket was issued for another service.
    InvalidService,
    /// `/cas/proxy`: there are no proxy-granting tickets here.
    BadPgt,
    /// A failure of this server.
    InternalError,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::InvalidTicketSpec => "INVALID_TICKET_SPEC",
            Self::InvalidTicket => "INVALID_TICKET",
            Self::InvalidService => "INVALID_SERVICE",
            Self::BadPgt => "BAD_PGT",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }
}

/// One attribute's values, as the validation returns them.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    Text(String),
    Flag(bool),
    List(Vec<String>),
}

/// A successful validation: the user (the account identifier) and the attributes, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub user: String,
    pub attributes: Vec<(&'static str, AttributeValue)>,
}

/// The attributes about the authentication itself, which every service receives (CAS 3.0
/// Appendix A's `authenticationDate`, `longTermAuthenticationRequestTokenUsed`, `isFromNewLogin`).
pub fn authentication_attributes(
    authenticated_at: DateTime<Utc>,
    kept_active: bool,
    from_new_login: bool,
) -> Vec<(&'static str, AttributeValue)> {
    vec![
        (
            "authenticationDate",
            AttributeValue::Text(authenticated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ),
        (
            "longTermAuthenticationRequestTokenUsed",
            AttributeValue::Flag(kept_active),
        ),
        ("isFromNewLogin", AttributeValue::Flag(from_new_login)),
    ]
}

/// XML text content: the five escapes, and no character XML 1.0 forbids.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The XML validation response (CAS 3.0 §2.5.2, §2.6.2, Appendix A).
pub fn xml_response(outcome: &Result<Validated, (Failure, String)>) -> String {
    let mut out = format!("<cas:serviceResponse xmlns:cas=\"{CAS_NAMESPACE}\">\n");
    match outcome {
        Ok(validated) => {
            out.push_str("  <cas:authenticationSuccess>\n");
            out.push_str(&format!(
                "    <cas:user>{}</cas:user>\n",
                escape_xml(&validated.user)
            ));
            out.push_str("    <cas:attributes>\n");
            for (name, value) in &validated.attributes {
                let values = match value {
                    AttributeValue::Text(text) => vec![text.clone()],
                    AttributeValue::Flag(flag) => vec![flag.to_string()],
                    AttributeValue::List(items) => items.clone(),
                };
                for value in values {
                    out.push_str(&format!(
                        "      <cas:{name}>{}</cas:{name}>\n",
                        escape_xml(&value)
                    ));
                }
            }
            out.push_str("    </cas:attributes>\n");
            out.push_str("  </cas:authenticationSuccess>\n");
        }
        Err((failure, description)) => out.push_str(&format!(
            "  <cas:authenticationFailure code=\"{}\">{}</cas:authenticationFailure>\n",
            failure.code(),
            escape_xml(description)
        )),
    }
    out.push_str("</cas:serviceResponse>\n");
    out
}

/// The JSON validation response (`format=JSON`, CAS 3.0 §2.5.2): single values as strings or
/// booleans, several as an array.
pub fn json_response(outcome: &Result<Validated, (Failure, String)>) -> Value {
    match outcome {
        Ok(validated) => {
            let mut attributes = Map::new();
            for (name, value) in &validated.attributes {
                let value = match value {
                    AttributeValue::Text(text) => json!(text),
                    AttributeValue::Flag(flag) => json!(flag),
                    AttributeValue::List(items) => json!(items),
                };
                attributes.insert((*name).to_owned(), value);
            }
            json!({"serviceResponse": {"authenticationSuccess": {
                "user": validated.user,
                "attributes": attributes,
            }}})
        }
        Err((failure, description)) => json!({"serviceResponse": {"authenticationFailure": {
            "code": failure.code(),
            "description": description,
        }}}),
    }
}

/// The `/cas/proxy` failure: proxy tickets are not served (CAS 3.0 §2.7.2).
pub fn proxy_failure_xml(failure: Failure, description: &str) -> String {
    format!(
        "<cas:serviceResponse xmlns:cas=\"{CAS_NAMESPACE}\">\n  <cas:proxyFailure code=\"{}\">{}</cas:proxyFailure>\n</cas:serviceResponse>\n",
        failure.code(),
        escape_xml(description)
    )
}

/// The SAML 2.0 `LogoutRequest` of single logout (CAS 3.0 Appendix C), naming the service's
/// session by the service ticket that opened it.
pub fn logout_request(id: &str, issued_at: DateTime<Utc>, ticket: &str) -> String {
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{}\" Version=\"2.0\" \
         IssueInstant=\"{}\"><saml:NameID>@NOT_USED@</saml:NameID>\
         <samlp:SessionIndex>{}</samlp:SessionIndex></samlp:LogoutRequest>",
        escape_xml(id),
        issued_at.format("%Y-%m-%dT%H:%M:%SZ"),
        escape_xml(ticket)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn success() -> Result<Validated, (Failure, String)> {
        Ok(Validated {
            user: "jdupont<&>".into(),
            attributes: vec![
                ("email", AttributeValue::Text("j@example.org".into())),
                ("isFromNewLogin", AttributeValue::Flag(true)),
                (
                    "regions",
                    AttributeValue::List(vec!["IDF".into(), "RAL".into()]),
                ),
            ],
        })
    }

    #[test]
    fn the_xml_success_escapes_and_repeats_multi_valued_attributes() {
        let xml = xml_response(&success());
        assert!(xml.contains("<cas:user>jdupont&lt;&amp;&gt;</cas:user>"));
        assert!(xml.contains("<cas:regions>IDF</cas:regions>"));
        assert!(xml.contains("<cas:regions>RAL</cas:regions>"));
        assert!(xml.contains("<cas:isFromNewLogin>true</cas:isFromNewLogin>"));
    }

    #[test]
    fn the_json_forms_follow_the_value_kinds() {
        let json = json_response(&success());
        let attrs = &json["serviceResponse"]["authenticationSuccess"]["attributes"];
        assert_eq!(attrs["isFromNewLogin"], json!(true));
        assert_eq!(attrs["regions"], json!(["IDF", "RAL"]));
        let failure = json_response(&Err((Failure::InvalidTicket, "no".into())));
        assert_eq!(
            failure["serviceResponse"]["authenticationFailure"]["code"],
            "INVALID_TICKET"
        );
    }

    #[test]
    fn the_logout_request_names_the_ticket() {
        let at = DateTime::from_timestamp(0, 0).expect("the epoch");
        let saml = logout_request("LR-1", at, "ST-abc");
        assert!(saml.contains("<samlp:SessionIndex>ST-abc</samlp:SessionIndex>"));
        assert!(saml.contains("IssueInstant=\"1970-01-01T00:00:00Z\""));
    }
}
