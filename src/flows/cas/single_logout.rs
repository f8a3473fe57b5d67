//! Delivers the CAS single-logout notices (CAS 3.0 §2.3.3, Appendix C): a SAML `LogoutRequest`
//! POSTed as the form field `logoutRequest` to each service whose session ended, retried with
//! the back-channel notices' backoff until the service answers 2xx. Every instance runs it; a
//! notice is claimed (one conditional update) before it is sent.

use std::time::Duration;

use chrono::Duration as Span;

use crate::{
    cas,
    context::ApiContext,
    db::cas::CasLogoutNotice,
    flows::oidc::backchannel::{retry_wait, LEASE_SECONDS, MAX_ATTEMPTS},
    measures,
};

/// Sends what is due; returns how many notices were tried.
pub async fn deliver_due(ctx: &ApiContext, http: &awc::Client) -> Result<usize, String> {
    let now = ctx.clock.now();
    let due = ctx
        .db
        .run(move |conn| Ok(CasLogoutNotice::due(conn, now, 20)?))
        .await
        .map_err(|e| e.to_string())?;
    let tried = due.len();
    for notice in due {
        let id = notice.id.clone();
        let claimed = ctx
            .db
            .run(move |conn| {
                Ok(CasLogoutNotice::claim(
                    conn,
                    &id,
                    now,
                    Span::seconds(LEASE_SECONDS),
                )?)
            })
            .await
            .map_err(|e| e.to_string())?;
        if !claimed {
            continue;
        }
        let outcome = send(http, &notice).await;
        record(ctx, &notice, outcome).await?;
    }
    Ok(tried)
}

async fn send(http: &awc::Client, notice: &CasLogoutNotice) -> Result<(), String> {
    let request = cas::logout_request(
        &format!("LR-{}", uuid::Uuid::new_v4().simple()),
        chrono::Utc::now(),
        &notice.ticket,
    );
    let response = http
        .post(&notice.url)
        .send_form(&[("logoutRequest", request)])
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the service answered {}", response.status()))
    }
}

async fn record(
    ctx: &ApiContext,
    notice: &CasLogoutNotice,
    outcome: Result<(), String>,
) -> Result<(), String> {
    let now = ctx.clock.now();
    let id = notice.id.clone();
    let attempts = notice.attempts + 1;
    let wait: Duration = retry_wait(ctx.settings.mail_retry_base, attempts);
    let label = match &outcome {
        Ok(()) => "sent",
        Err(_) if attempts >= MAX_ATTEMPTS => "dead",
        Err(_) => "retry",
    };
    if let Err(error) = &outcome {
        tracing::warn!(service = %notice.service_id, attempts, %error, "CAS single-logout notice not delivered");
    }
    metrics::counter!(measures::CAS_LOGOUTS, "outcome" => label).increment(1);
    ctx.db
        .run(move |conn| {
            match outcome {
                Ok(()) => CasLogoutNotice::mark_sent(conn, &id, now)?,
                Err(error) => CasLogoutNotice::mark_failed(
                    conn,
                    &id,
                    &error,
                    now,
                    Span::milliseconds(wait.as_millis() as i64).max(Span::seconds(1)),
                    attempts >= MAX_ATTEMPTS,
                )?,
            }
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())
}
