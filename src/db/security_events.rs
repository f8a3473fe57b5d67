//! The account's own security history ("sign-ins, failures, password and email changes, revocations").

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::security_events, DbConnection};
use crate::domain::states::SecurityEventKind;

/// One event.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = security_events)]
pub struct SecurityEvent {
    pub id: String,
    pub account_id: String,
    pub kind: SecurityEventKind,
    /// Sign-in method (`pwd`, `qr`, `x509`) where it applies.
    pub method: Option<String>,
    pub client_address: Option<String>,
    pub session_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What to record.
pub struct NewEvent<'a> {
    pub account_id: &'a str,
    pub kind: SecurityEventKind,
    pub method: Option<&'a str>,
    pub client_address: Option<&'a str>,
    pub session_id: Option<&'a str>,
}

impl SecurityEvent {
    /// The row of `event`, which happened at `now` (its id is time-ordered).
    pub fn new(event: NewEvent<'_>, now: NaiveDateTime) -> Self {
        SecurityEvent {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: event.account_id.to_owned(),
            kind: event.kind,
            method: event.method.map(str::to_owned),
            client_address: event.client_address.map(str::to_owned),
            session_id: event.session_id.map(str::to_owned),
            created_at: now,
        }
    }

    /// Records an event.
    pub fn record(
        conn: &mut DbConnection,
        event: NewEvent<'_>,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(security_events::table)
            .values(&Self::new(event, now))
            .execute(conn)
            .map(|_| ())
    }

    /// A page of the account's events, newest first; `before` is the id of the last event of the
    /// previous page (ids are time-ordered UUIDv7, so they sort like their instants).
    pub fn page(
        conn: &mut DbConnection,
        account_id: &str,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<SecurityEvent>> {
        let mut query = security_events::table
            .filter(security_events::account_id.eq(account_id))
            .order(security_events::id.desc())
            .limit(limit)
            .select(SecurityEvent::as_select())
            .into_boxed();
        if let Some(before) = before {
            query = query.filter(security_events::id.lt(before.to_owned()));
        }
        query.load(conn)
    }
}
