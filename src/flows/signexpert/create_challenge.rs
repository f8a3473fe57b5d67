//! A Signexpert challenge: a nonce for a certificate's key to sign, usable once within 2 minutes
//! by a sign-in or an enrolment.

use crate::{
    auth::signexpert::{self, proof},
    context::ApiContext,
    db::{self, signexpert_challenges::SignexpertChallenge},
    domain::tokens,
    error::ApiError,
    flows::Client,
    limits,
};

/// Creates a challenge for `client`. 503 `signexpert_unavailable` when no trust anchors are
/// configured: no certificate could pass.
pub async fn create_challenge(
    ctx: &ApiContext,
    client: Client,
) -> Result<SignexpertChallenge, ApiError> {
    proof::trust_store(ctx)?;
    limits::enforce(
        ctx,
        limits::SIGNEXPERT_CHALLENGE_PER_CLIENT,
        &client.address,
    )
    .await?;
    let now = ctx.clock.now();
    let challenge = SignexpertChallenge {
        id: uuid::Uuid::now_v7().to_string(),
        nonce: tokens::random_token(),
        created_at: now,
        expires_at: now + signexpert::CHALLENGE_LIFETIME,
        used_at: None,
    };
    let row = challenge.clone();
    ctx.db
        .run(move |conn| {
            Ok(db::session_write_transaction(conn, |conn| {
                SignexpertChallenge::purge_expired(conn, now)?;
                SignexpertChallenge::insert(conn, &row)
            })?)
        })
        .await?;
    Ok(challenge)
}
