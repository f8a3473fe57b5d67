//! Queuing an email: the one entry point for the rest of the service.

use crate::db::{outbox::OutboxEmail, DbConnection};

use super::templates::Template;

/// Renders `template` and stores it for `recipient` in the outbox.
///
/// Call it with the connection of the transaction that makes the change the email tells about:
/// the email then exists if and only if the change was committed, and the dispatcher delivers
/// it even if the mail server is down at that moment.
pub fn enqueue(
    conn: &mut DbConnection,
    recipient: &str,
    template: &Template,
) -> diesel::QueryResult<()> {
    let email = template.render();
    OutboxEmail::new(email.kind, recipient, email.subject, email.text, email.html).insert(conn)
}
