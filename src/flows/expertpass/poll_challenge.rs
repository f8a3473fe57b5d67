//! The browser polls its Expertpass challenge with its poll token: `pending` until the app
//! decides; an approval opens the session (`amr` = `qr`) and hands its tokens out once; a denial
//! or a cancellation (wrong number) ends it. Past its time it is `challenge_expired`, and once
//! its tokens were handed out `challenge_consumed` (both 410).

use chrono::NaiveDateTime;

use super::challenge_expired;
use crate::{
    auth::session_tokens::{self, SignInContext, SignedIn},
    context::ApiContext,
    db::{self, accounts::Account, expertpass_challenges::ExpertpassChallenge},
    domain::{states::ExpertpassChallengeStatus, tokens},
    error::{ApiError, ErrorCode},
    flows::Client,
};

/// Where a challenge stands, as its browser learns it.
#[derive(Debug)]
pub enum Poll {
    /// Nobody decided yet; the QR code expires at this instant.
    Pending {
        /// When the QR code expires if nobody decides.
        expires_at: NaiveDateTime,
    },
    /// Approved: the session is open, and this is the only poll that gets its tokens.
    Approved(Box<SignedIn>),
    /// The app refused (or the approving account can no longer sign in).
    Denied,
    /// The app's owner chose a number the browser did not show.
    Cancelled,
}

/// What a poll found before any session opens.
enum Collected {
    /// The answer, as it stands (nothing to collect).
    Answer(Poll),
    /// This poll took the tokens: the account to sign in, and "Garder ma session active".
    Account(Box<Account>, bool),
    /// The tokens were handed out already (to another poll, maybe at the same time).
    Consumed,
}

/// Where the challenge `challenge_id` stands, for the browser holding `poll_token` (the
/// `Expertpass-Poll-Token` header as sent; `None` when absent). 404 for an unknown challenge,
/// 403 `invalid_poll_token` for a wrong or missing token.
pub async fn poll_challenge(
    ctx: &ApiContext,
    challenge_id: String,
    poll_token: Option<String>,
    client: Client,
) -> Result<Poll, ApiError> {
    let presented = poll_token
        .as_deref()
        .map(str::trim)
        .filter(|t| tokens::is_well_formed(t))
        .map(tokens::digest);
    let now = ctx.clock.now();
    let step = ctx
        .db
        .run(move |conn| {
            let Some(challenge) = ExpertpassChallenge::find(conn, &challenge_id)? else {
                return Err(ApiError::not_found());
            };
            // Both sides are SHA-256 digests: comparing them reveals nothing about the token.
            if presented.as_deref() != Some(challenge.poll_token_hash.as_str()) {
                return Err(invalid_poll_token());
            }
            let live = challenge.expires_at > now;
            Ok(match challenge.status {
                ExpertpassChallengeStatus::Pending if live => Collected::Answer(Poll::Pending {
                    expires_at: challenge.expires_at,
                }),
                ExpertpassChallengeStatus::Pending => return Err(challenge_expired()),
                ExpertpassChallengeStatus::Denied => Collected::Answer(Poll::Denied),
                ExpertpassChallengeStatus::Cancelled => Collected::Answer(Poll::Cancelled),
                ExpertpassChallengeStatus::Approved if live => collect(conn, &challenge, now)?,
                ExpertpassChallengeStatus::Approved => return Err(challenge_expired()),
                ExpertpassChallengeStatus::Consumed => Collected::Consumed,
            })
        })
        .await?;
    let (account, keep_active) = match step {
        Collected::Answer(poll) => return Ok(poll),
        Collected::Consumed => return Err(challenge_consumed()),
        Collected::Account(account, keep_active) => (account, keep_active),
    };
    // This poll collected the approval: the session opens now.
    let signed_in = session_tokens::open(
        ctx,
        *account,
        SignInContext {
            amr: "qr",
            keep_active,
            client,
        },
    )
    .await?;
    Ok(Poll::Approved(Box::new(signed_in)))
}

/// Takes the approved challenge's tokens for this poll, if no other poll took them first.
fn collect(
    conn: &mut db::DbConnection,
    challenge: &ExpertpassChallenge,
    now: NaiveDateTime,
) -> Result<Collected, ApiError> {
    db::session_write_transaction(conn, |conn| {
        if !ExpertpassChallenge::consume(conn, &challenge.id, now)? {
            return Ok(Collected::Consumed);
        }
        let account = match &challenge.account_id {
            Some(account_id) => Account::find(conn, account_id)?.filter(Account::is_active),
            None => None,
        };
        Ok(match account {
            Some(account) => Collected::Account(Box::new(account), challenge.keep_active),
            None => Collected::Answer(Poll::Denied),
        })
    })
}

/// 403 `invalid_poll_token`: the header is missing or is not this challenge's poll token.
fn invalid_poll_token() -> ApiError {
    ApiError::of(ErrorCode::InvalidPollToken)
}

/// 410 `challenge_consumed`: the approved tokens were already handed out.
fn challenge_consumed() -> ApiError {
    ApiError::of(ErrorCode::ChallengeConsumed)
}
