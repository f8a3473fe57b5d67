//! « Se connecter avec Expertpass », the browser's side: a QR code to scan, valid 2 minutes, and
//! the number to show beside it (the app's owner must pick it among three).

use crate::{
    auth::expertpass,
    context::ApiContext,
    db::{self, expertpass_challenges::ExpertpassChallenge},
    domain::{states::ExpertpassChallengeStatus, tokens},
    error::ApiError,
    flows::Client,
    limits,
};

/// A challenge just created, with what only its browser gets.
#[derive(Debug)]
pub struct NewChallenge {
    /// The stored challenge (`pending`; its number, its expiry).
    pub challenge: ExpertpassChallenge,
    /// The text of the QR code: `comptexpert://login?c={challenge_id}&n={nonce}`.
    pub qr_payload: String,
    /// The QR code of `qr_payload` as a standalone SVG document.
    pub qr_svg: String,
    /// The browser's secret for polling (only its digest is stored).
    pub poll_token: String,
}

/// Creates a `pending` challenge for the browser `client` (its user agent and its address cut to
/// its network are kept: the app shows them before its owner approves).
pub async fn create_challenge(
    ctx: &ApiContext,
    keep_session_active: bool,
    client: Client,
) -> Result<NewChallenge, ApiError> {
    limits::enforce(
        ctx,
        limits::EXPERTPASS_CHALLENGE_PER_CLIENT,
        &client.address,
    )
    .await?;
    let now = ctx.clock.now();
    let poll_token = tokens::random_token();
    let (number, choices) = expertpass::draw_number();
    let challenge = ExpertpassChallenge {
        id: uuid::Uuid::now_v7().to_string(),
        nonce: tokens::random_token(),
        poll_token_hash: tokens::digest(&poll_token),
        status: ExpertpassChallengeStatus::Pending,
        keep_active: keep_session_active,
        account_id: None,
        device_id: None,
        created_at: now,
        expires_at: now + expertpass::CHALLENGE_LIFETIME,
        decided_at: None,
        consumed_at: None,
        number,
        number_choices: ExpertpassChallenge::store_numbers(&choices),
        client_network: expertpass::approximate_address(&client.address),
        user_agent: client.user_agent,
    };
    let qr_payload = expertpass::qr_payload(&challenge.id, &challenge.nonce);
    let qr_svg = expertpass::qr_svg(&qr_payload).map_err(|e| ApiError::internal(e.to_string()))?;
    let row = challenge.clone();
    ctx.db
        .run(move |conn| {
            Ok(db::session_write_transaction(conn, |conn| {
                // Expired challenges answer 410 `challenge_expired` for an hour, then go.
                ExpertpassChallenge::purge_expired(conn, now - chrono::Duration::hours(1))?;
                ExpertpassChallenge::insert(conn, &row)
            })?)
        })
        .await?;
    Ok(NewChallenge {
        challenge,
        qr_payload,
        qr_svg,
        poll_token,
    })
}
