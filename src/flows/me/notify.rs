//! Telling an account's owner that its sign-in methods changed.

use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::credentials::Enrolment,
    db::{
        self,
        accounts::Account,
        security_events::{NewEvent, SecurityEvent},
        DbConnection,
    },
    error::{ApiError, ErrorCode},
    flows::Client,
    mail::{outbox, templates::Template},
};

/// What the owner is told of a change, in French and in English.
pub struct Notice {
    pub fr: String,
    pub en: String,
}

/// Changes the signed-in owner's sign-in methods: `change` runs in one write transaction with
/// the account, and returns its outcome and the [`Notice`] to send; the change is recorded in the
/// security history as `event_kind` and told to the owner by email in the same transaction, so
/// neither goes out for a change that did not happen. An account that no longer exists is 404.
pub async fn change_sign_in_method<T: Send + 'static>(
    ctx: &ApiContext,
    auth: &Authenticated,
    client: Client,
    event_kind: SecurityEventKind,
    change: impl FnOnce(&mut DbConnection, &Account) -> Result<(T, Notice), ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let auth = auth.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let account =
                    Account::find(conn, &auth.account_id)?.ok_or_else(ApiError::not_found)?;
                let (outcome, notice) = change(conn, &account)?;
                record_and_notify(conn, &account, &auth, &client.address, event_kind, notice)?;
                Ok(outcome)
            })
        })
        .await
}

/// Ok when the credential was enrolled; refused with `limit` when its account holds as many as
/// it may, `taken` when it is enrolled already (on this account or another).
pub fn enrolled(outcome: Enrolment, limit: ErrorCode, taken: ErrorCode) -> Result<(), ApiError> {
    match outcome {
        Enrolment::Enrolled => Ok(()),
        Enrolment::LimitReached => Err(ApiError::of(limit)),
        Enrolment::AlreadyEnrolled => Err(ApiError::of(taken)),
    }
}

/// A change to the account's sign-in methods, made by its signed-in owner: recorded in the
/// security history (`event_kind`) and told to the owner by email, in the caller's transaction.
fn record_and_notify(
    conn: &mut DbConnection,
    account: &Account,
    auth: &Authenticated,
    client_address: &str,
    event_kind: SecurityEventKind,
    notice: Notice,
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
            event_fr: notice.fr,
            event_en: notice.en,
        },
    )
}
