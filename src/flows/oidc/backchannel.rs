//! Delivers the back-channel logout notices (OpenID Connect Back-Channel Logout 1.0 §2.5): a
//! logout token POSTed form-encoded to each client whose session ended, retried with backoff
//! until it answers 2xx, so that a client down for a while still learns of the sign-out. Every
//! instance runs it; a notice is claimed (one conditional update) before it is sent. The same
//! loop delivers the CAS services' single-logout notices (`crate::flows::cas::single_logout`).

use std::{sync::Arc, time::Duration};

use chrono::Duration as Span;

use crate::{
    context::ApiContext,
    db::{oauth_clients::OAuthClient, oidc::LogoutNotice},
    measures,
    oidc::tokens::{sign_for, LogoutClaims, BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_SECONDS},
};

/// Attempts before a notice is given up: about 12 hours with the default `MAIL_RETRY_BASE_MS`,
/// the backoff doubling from it and capped at an hour.
pub const MAX_ATTEMPTS: i32 = 20;

/// How long a client has to answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// How long a claimed notice is held by the instance sending it.
pub const LEASE_SECONDS: i64 = 60;

/// The wait before attempt `attempts + 1`: doubling from `base`, capped at an hour.
pub fn retry_wait(base: Duration, attempts: i32) -> Duration {
    base.saturating_mul(1u32 << attempts.clamp(0, 16) as u32)
        .min(Duration::from_secs(3600))
}

/// The HTTP client of the notices: TLS with the Mozilla roots (webpki-roots), ring's crypto.
fn http_client() -> awc::Client {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let connector = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
    match connector {
        Ok(config) => awc::Client::builder()
            .timeout(TIMEOUT)
            .disable_redirects()
            .connector(awc::Connector::new().rustls_0_23(Arc::new(config)))
            .finish(),
        // Not expected (ring's provider supports the default versions); clients on http are
        // still served.
        Err(_) => awc::Client::builder()
            .timeout(TIMEOUT)
            .disable_redirects()
            .finish(),
    }
}

/// Starts the delivery loop on the server's runtime.
pub fn spawn(ctx: ApiContext) -> actix_web::rt::task::JoinHandle<()> {
    let period = ctx
        .settings
        .mail_poll_interval
        .max(Duration::from_millis(50));
    actix_web::rt::spawn(async move {
        let client = http_client();
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = deliver_due(&ctx, &client).await {
                tracing::warn!(%error, "back-channel logout notices not delivered this round");
            }
            if let Err(error) = crate::flows::cas::single_logout::deliver_due(&ctx, &client).await {
                tracing::warn!(%error, "CAS single-logout notices not delivered this round");
            }
        }
    })
}

/// Sends what is due; returns how many notices were tried.
pub async fn deliver_due(ctx: &ApiContext, client: &awc::Client) -> Result<usize, String> {
    let now = ctx.clock.now();
    let due = ctx
        .db
        .run(move |conn| Ok(LogoutNotice::due(conn, now, 20)?))
        .await
        .map_err(|e| e.to_string())?;
    let tried = due.len();
    for notice in due {
        let id = notice.id.clone();
        let client_id = notice.client_id.clone();
        let claimed = ctx
            .db
            .run(move |conn| {
                let claimed = LogoutNotice::claim(conn, &id, now, Span::seconds(LEASE_SECONDS))?;
                Ok(claimed
                    .then(|| OAuthClient::find(conn, &client_id))
                    .transpose()?
                    .flatten())
            })
            .await
            .map_err(|e| e.to_string())?;
        let Some(registered) = claimed else { continue };
        let outcome = send(ctx, client, &notice, &registered).await;
        record(ctx, &notice, outcome).await?;
    }
    Ok(tried)
}

async fn send(
    ctx: &ApiContext,
    http: &awc::Client,
    notice: &LogoutNotice,
    client: &OAuthClient,
) -> Result<(), String> {
    let iat = chrono::Utc::now().timestamp();
    let claims = LogoutClaims {
        iss: ctx.settings.issuer(),
        sub: notice.account_id.clone(),
        aud: client.client_id.clone(),
        iat,
        exp: iat + LOGOUT_TOKEN_SECONDS,
        jti: uuid::Uuid::new_v4().to_string(),
        sid: notice.session_id.clone(),
        events: serde_json::json!({ BACKCHANNEL_LOGOUT_EVENT: {} }),
    };
    let rsa = ctx.id_token_keys().map_err(|e| e.to_string())?;
    let token = sign_for(&client.id_token_alg, rsa, &ctx.keys, &claims)?;
    let response = http
        .post(&notice.uri)
        .insert_header(("Cache-Control", "no-store"))
        .send_form(&[("logout_token", token)])
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the client answered {}", response.status()))
    }
}

async fn record(
    ctx: &ApiContext,
    notice: &LogoutNotice,
    outcome: Result<(), String>,
) -> Result<(), String> {
    let now = ctx.clock.now();
    let id = notice.id.clone();
    let attempts = notice.attempts + 1;
    let base = ctx.settings.mail_retry_base;
    let label = match &outcome {
        Ok(()) => "sent",
        Err(_) if attempts >= MAX_ATTEMPTS => "dead",
        Err(_) => "retry",
    };
    if let Err(error) = &outcome {
        tracing::warn!(client = %notice.client_id, attempts, %error, "back-channel logout notice not delivered");
    }
    metrics::counter!(measures::BACKCHANNEL_LOGOUTS, "outcome" => label).increment(1);
    ctx.db
        .run(move |conn| {
            match outcome {
                Ok(()) => LogoutNotice::mark_sent(conn, &id, now)?,
                Err(error) => {
                    let wait = retry_wait(base, attempts);
                    let wait = Span::milliseconds(wait.as_millis() as i64).max(Span::seconds(1));
                    LogoutNotice::mark_failed(
                        conn,
                        &id,
                        &error,
                        now,
                        wait,
                        attempts >= MAX_ATTEMPTS,
                    )?
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())
}
