//! Expertpass challenges: one QR code shown by a browser, waiting for an app's decision.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{schema::expertpass_challenges, DbConnection};
use crate::domain::states::ExpertpassChallengeStatus;

/// A challenge.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = expertpass_challenges)]
pub struct ExpertpassChallenge {
    pub id: String,
    /// Random, in the QR code, part of the signed message.
    pub nonce: String,
    /// SHA-256 (hex) of the browser's poll token.
    pub poll_token_hash: String,
    /// Where it stands.
    pub status: ExpertpassChallengeStatus,
    /// "Garder ma session active", chosen in the browser.
    pub keep_active: bool,
    /// The account whose device decided.
    pub account_id: Option<String>,
    /// The device that decided.
    pub device_id: Option<String>,
    pub created_at: NaiveDateTime,
    /// Pending: end of the wait for a decision. Approved: end of the collection window.
    pub expires_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub consumed_at: Option<NaiveDateTime>,
    /// The two-digit number the browser shows; an approval must carry it.
    pub number: i32,
    /// The three numbers the app offers, in the order it shows them: `17,42,85`.
    pub number_choices: String,
    /// The User-Agent of the browser that asked (first 200 characters).
    pub user_agent: Option<String>,
    /// The network of the browser that asked (IPv4 /24 or IPv6 /48), never its full address.
    pub client_network: Option<String>,
}

/// The decision an app signed, to record.
pub struct Decided<'a> {
    /// Approved, denied or cancelled.
    pub status: ExpertpassChallengeStatus,
    pub account_id: &'a str,
    pub device_id: &'a str,
    /// New end of validity: the collection window for an approval.
    pub expires_at: NaiveDateTime,
}

impl ExpertpassChallenge {
    /// The three numbers the app offers, from their stored form.
    pub fn offered_numbers(&self) -> Vec<i32> {
        self.number_choices
            .split(',')
            .filter_map(|n| n.parse().ok())
            .collect()
    }

    /// The stored form of the numbers the app offers.
    pub fn store_numbers(choices: &[i32]) -> String {
        choices
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Inserts a new challenge.
    pub fn insert(conn: &mut DbConnection, challenge: &ExpertpassChallenge) -> QueryResult<()> {
        diesel::insert_into(expertpass_challenges::table)
            .values(challenge)
            .execute(conn)
            .map(|_| ())
    }

    /// One challenge by id.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        expertpass_challenges::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Records a decision if the challenge is still pending and unexpired. False when another
    /// decision got there first or the challenge expired: a challenge is decided at most once.
    pub fn decide(
        conn: &mut DbConnection,
        id: &str,
        decided: Decided<'_>,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let updated = diesel::update(
            expertpass_challenges::table
                .find(id)
                .filter(expertpass_challenges::status.eq(ExpertpassChallengeStatus::Pending))
                .filter(expertpass_challenges::expires_at.gt(now)),
        )
        .set((
            expertpass_challenges::status.eq(decided.status),
            expertpass_challenges::account_id.eq(decided.account_id),
            expertpass_challenges::device_id.eq(decided.device_id),
            expertpass_challenges::decided_at.eq(now),
            expertpass_challenges::expires_at.eq(decided.expires_at),
        ))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Marks an approved challenge as collected. True for exactly one caller: the tokens are
    /// handed out once, even to two simultaneous polls.
    pub fn consume(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
        let updated = diesel::update(
            expertpass_challenges::table
                .find(id)
                .filter(expertpass_challenges::status.eq(ExpertpassChallengeStatus::Approved))
                .filter(expertpass_challenges::expires_at.gt(now)),
        )
        .set((
            expertpass_challenges::status.eq(ExpertpassChallengeStatus::Consumed),
            expertpass_challenges::consumed_at.eq(now),
        ))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Deletes challenges that expired before `before` (they only answer "expired" until then).
    pub fn purge_expired(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(
            expertpass_challenges::table.filter(expertpass_challenges::expires_at.lt(before)),
        )
        .execute(conn)
    }
}
