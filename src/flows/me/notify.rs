//! Telling an account's owner that its sign-in methods changed.

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    db::{
        self,
        accounts::Account,
        security_events::{NewEvent, SecurityEvent},
        DbConnection,
    },
    mail::{outbox, templates::Template},
};

/// A change to the account's sign-in methods, made by its signed-in owner: recorded in the
/// security history (`event_kind`) and told to the owner by email, in the caller's transaction.
pub fn record_and_notify(
    conn: &mut DbConnection,
    account: &Account,
    auth: &Authenticated,
    client_address: &str,
    event_kind: SecurityEventKind,
    event_fr: String,
    event_en: String,
) -> diesel::QueryResult<()> {
    SecurityEvent::record(
        conn,
        NewEvent {
            account_id: &account.id,
            kind: event_kind,
            method: None,
            client_address: Some(client_address),
            session_id: Some(&auth.session_id),
        },
        db::now(),
    )?;
    outbox::enqueue(
        conn,
        &account.email,
        &Template::SecurityNotice {
            greeting_name: account.greeting_name(),
            event_fr,
            event_en,
        },
    )
}
