//! Enumerated string fields as enums: a field documented as "`M` or `MME`", "`draft`,
//! `submitted` (locked) or `superseded`" or "Always `EUR`" takes exactly those values, so the
//! document says so in the form a client generator reads (`enum`), from the same sentence a
//! person reads. Nullable fields keep `null` among their values.

use serde_json::Value;
use utoipa::openapi::{
    schema::{Schema, SchemaType, Type},
    OpenApi, RefOr,
};

/// The values a description lists, when it is nothing but such a list (after an optional
/// "Label:" lead and with parenthesised explanations set aside).
pub fn listed_values(description: &str) -> Option<Vec<String>> {
    let mut text = String::new();
    let mut depth = 0usize;
    for c in description.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.trim().trim_end_matches(['.', ';']).trim();
    let text = text.strip_prefix("Always ").unwrap_or(text);
    let text = text.rsplit_once(": ").map_or(text, |(_, list)| list);
    let mut values = Vec::new();
    for item in text.split(", ").flat_map(|part| part.split(" or ")) {
        let value = item.trim().strip_prefix('`')?.strip_suffix('`')?;
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        values.push(value.to_owned());
    }
    (!values.is_empty()).then_some(values)
}

/// Sets `enum` on every string property whose description is such a list.
pub fn document(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        for property in object.properties.values_mut() {
            let RefOr::T(Schema::Object(field)) = property else {
                continue;
            };
            let (is_string, nullable) = match &field.schema_type {
                SchemaType::Type(Type::String) => (true, false),
                SchemaType::Array(types) => {
                    (types.contains(&Type::String), types.contains(&Type::Null))
                }
                _ => (false, false),
            };
            if !is_string || field.enum_values.is_some() {
                continue;
            }
            let Some(values) = field.description.as_deref().and_then(listed_values) else {
                continue;
            };
            let mut values: Vec<Value> = values.into_iter().map(Value::String).collect();
            if nullable {
                values.push(Value::Null);
            }
            field.enum_values = Some(values);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_that_lists_values_gives_them() {
        let cases: [(&str, Option<&[&str]>); 6] = [
            ("`M` or `MME`.", Some(&["M", "MME"])),
            (
                "`draft`, `submitted` (locked, charged) or `superseded` (replaced by a correction).",
                Some(&["draft", "submitted", "superseded"]),
            ),
            ("Always `EUR`.", Some(&["EUR"])),
            ("Sign-in method where it applies: `pwd`, `qr`, `x509`.", Some(&["pwd", "qr", "x509"])),
            ("Qualité code (see `GET /v1/qualities`).", None),
            ("The payment's status after the notification.", None),
        ];
        for (description, expected) in cases {
            let expected = expected.map(|v| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
            assert_eq!(listed_values(description), expected, "{description}");
        }
    }
}
