//! The account's own security history, a page at a time.

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::security_events::SecurityEvent,
    error::{ApiError, FieldIssue},
    i18n::Text,
};

/// Which page of the history is asked for.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Page size, 1 to 100; 20 when absent.
    pub limit: Option<u32>,
    /// The id of the last event of the previous page.
    pub cursor: Option<String>,
}

/// A page of the history.
#[derive(Debug)]
pub struct HistoryPage {
    /// Newest first.
    pub events: Vec<SecurityEvent>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The caller's own security events, newest first, `limit` at a time after `cursor`.
pub async fn security_history(
    ctx: &ApiContext,
    auth: &Authenticated,
    page: PageRequest,
) -> Result<HistoryPage, ApiError> {
    let PageRequest { limit, cursor } = page;
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation(vec![FieldIssue::parameter(
            "limit",
            "range",
            Text::new(
                "limit doit être compris entre 1 et 100.",
                "limit must be between 1 and 100.",
            ),
        )]));
    }
    let account_id = auth.account_id.clone();
    // One more than asked for tells whether a next page exists.
    let mut events = ctx
        .db
        .run(move |conn| {
            Ok(SecurityEvent::page(
                conn,
                &account_id,
                cursor.as_deref(),
                i64::from(limit) + 1,
            )?)
        })
        .await?;
    let has_more = events.len() > limit as usize;
    events.truncate(limit as usize);
    let next_cursor = if has_more {
        events.last().map(|e| e.id.clone())
    } else {
        None
    };
    Ok(HistoryPage {
        events,
        next_cursor,
    })
}
