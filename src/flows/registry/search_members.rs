//! The name pre-fill: a prefix search over the register, insensitive to accents, case and
//! punctuation, on the last name and on every later word of a compound last name, by pages.
//!
//! The same first letters are typed again and again while people look themselves up: an answer
//! is kept, as the caller rendered it, in [`crate::search_cache`] for a minute.

use actix_web::web::Bytes;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::{
    context::ApiContext,
    db::{registry::Member, DbConnection},
    domain::names,
    error::{ApiError, FieldIssue},
    i18n::Text,
};

/// Shortest query, once folded (letters and digits only): shorter would list half the register.
pub const MIN_QUERY_LEN: usize = 2;
/// Default number of proposals.
pub const DEFAULT_LIMIT: u32 = 10;
/// Most proposals in one answer.
pub const MAX_LIMIT: u32 = 20;
/// Longest query read, in bytes.
const MAX_QUERY_BYTES: usize = 200;

/// What the caller typed and which page it wants.
pub struct NameQuery {
    /// Start of the last name (or of a later word of it), optionally followed by the first name.
    pub q: String,
    /// How many proposals (1 to [`MAX_LIMIT`]); [`DEFAULT_LIMIT`] when absent.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page of the same query; absent for the first page.
    pub cursor: Option<String>,
}

/// One page of proposals: first the members whose last name starts with the query (by last
/// name, then first name), then those matched by a later word of a compound last name.
#[derive(Debug)]
pub struct MemberPage {
    /// At most `limit` members.
    pub members: Vec<Member>,
    /// Whether more proposals follow this page.
    pub has_more: bool,
    /// The cursor of the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The page `query` asks for, as `render` serializes it; the rendered answer is reused for the
/// same query while [`crate::search_cache::TTL`] lasts. Refused with `validation_failed` for a
/// query too short, a limit out of range, or a cursor that is not one of this query's.
pub async fn search_members<R>(
    ctx: &ApiContext,
    query: NameQuery,
    render: R,
) -> Result<Bytes, ApiError>
where
    R: FnOnce(MemberPage) -> Result<Bytes, ApiError>,
{
    let NameQuery { q, limit, cursor } = query;
    let prefix = names::fold_alphanumeric(&q);
    let mut issues = Vec::new();
    if prefix.chars().count() < MIN_QUERY_LEN || q.len() > MAX_QUERY_BYTES {
        issues.push(FieldIssue::parameter(
            "q",
            "min_length",
            Text::owned(
                format!("Saisissez au moins {MIN_QUERY_LEN} lettres du nom."),
                format!("Type at least {MIN_QUERY_LEN} letters of the last name."),
            ),
        ));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        issues.push(FieldIssue::parameter(
            "limit",
            "range",
            Text::owned(
                format!("limit doit être compris entre 1 et {MAX_LIMIT}."),
                format!("limit must be between 1 and {MAX_LIMIT}."),
            ),
        ));
    }
    let position = match cursor.as_deref() {
        None => None,
        Some(cursor) => match Position::decode(cursor, &prefix) {
            Some(position) => Some(position),
            None => {
                issues.push(FieldIssue::parameter(
                    "cursor",
                    "cursor",
                    Text::new(
                        "Ce curseur ne vient pas d'une page précédente de cette recherche.",
                        "This cursor does not come from an earlier page of this search.",
                    ),
                ));
                None
            }
        },
    };
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let cache_key = (prefix.clone(), limit, cursor.unwrap_or_default());
    if let Some(body) = ctx.search_cache.get(&cache_key) {
        return Ok(body);
    }
    let page = ctx
        .db
        .run(move |conn| Ok(page(conn, &prefix, position, limit)?))
        .await?;
    let body = render(page)?;
    ctx.search_cache.put(cache_key, body.clone());
    Ok(body)
}

/// Where a page ends: the tier (0: last name, 1: a later word), the key and the member's id of
/// its last proposal. The cursor carries it with the query's folded prefix, base64url-encoded.
struct Position {
    tier: u8,
    key: String,
    member_id: String,
}

impl Position {
    fn encode(&self, prefix: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{}|{prefix}|{}|{}",
            self.tier, self.key, self.member_id
        ))
    }

    /// The position a cursor names, if it is one of this query's.
    fn decode(cursor: &str, prefix: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let mut parts = text.splitn(4, '|');
        let tier = match parts.next()? {
            "0" => 0,
            "1" => 1,
            _ => return None,
        };
        if parts.next()? != prefix {
            return None;
        }
        let key = parts.next()?.to_owned();
        let member_id = parts.next()?.to_owned();
        key.starts_with(prefix).then_some(Self {
            tier,
            key,
            member_id,
        })
    }
}

/// One page: the last-name tier after the position, then the later-word tier. One proposal more
/// than asked is read to know whether another page follows.
fn page(
    conn: &mut DbConnection,
    prefix: &str,
    position: Option<Position>,
    limit: u32,
) -> diesel::QueryResult<MemberPage> {
    let wanted = i64::from(limit) + 1;
    let mut found: Vec<(u8, String, Member)> = Vec::new();
    let after = position
        .as_ref()
        .map(|p| (p.tier, p.key.as_str(), p.member_id.as_str()));
    if after.is_none_or(|(tier, _, _)| tier == 0) {
        let after_key = after.map(|(_, key, id)| (key, id));
        found.extend(
            Member::search(conn, prefix, after_key, wanted)?
                .into_iter()
                .map(|(key, member)| (0, key, member)),
        );
    }
    let missing = wanted - i64::try_from(found.len()).unwrap_or(wanted);
    if missing > 0 {
        let after_key = after
            .filter(|(tier, _, _)| *tier == 1)
            .map(|(_, key, id)| (key, id));
        found.extend(
            Member::search_by_later_word(conn, prefix, after_key, missing)?
                .into_iter()
                .map(|(key, member)| (1, key, member)),
        );
    }
    let has_more = found.len() > limit as usize;
    found.truncate(limit as usize);
    let next_cursor = has_more
        .then(|| found.last())
        .flatten()
        .map(|(tier, key, member)| {
            Position {
                tier: *tier,
                key: key.clone(),
                member_id: member.id.clone(),
            }
            .encode(prefix)
        });
    Ok(MemberPage {
        members: found.into_iter().map(|(_, _, member)| member).collect(),
        has_more,
        next_cursor,
    })
}
