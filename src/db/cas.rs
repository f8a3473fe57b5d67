//! The CAS 3.0 server's storage (migration 000021): the registered services, their service
//! tickets, the services each SSO session signed in to, and the single-logout notices owed to
//! them when that session ends.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{
    outbox::LAST_ERROR_MAX_CHARS,
    schema::{cas_service_sessions, cas_services, cas_tickets, outbox_cas_logouts},
    DbConnection,
};
use crate::domain::tokens;

/// A registered CAS service, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cas_services, treat_none_as_null = true)]
pub struct CasService {
    pub service_id: String,
    /// What the user is told they sign in to.
    pub name: String,
    /// One per line: exact URLs, or prefixes ending in `/*` (see `crate::cas::services`).
    pub service_patterns: String,
    /// The attributes it may receive, space-separated.
    pub attributes: String,
    /// Where its SAML `LogoutRequest`s go, if anywhere.
    pub logout_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CasService {
    /// The service URL patterns.
    pub fn patterns(&self) -> Vec<&str> {
        self.service_patterns
            .lines()
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The attributes it may receive.
    pub fn attributes(&self) -> Vec<&str> {
        self.attributes.split_whitespace().collect()
    }

    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(cas_services::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn find(conn: &mut DbConnection, service_id: &str) -> QueryResult<Option<Self>> {
        cas_services::table
            .find(service_id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Every service, by id.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        cas_services::table
            .order(cas_services::service_id)
            .select(Self::as_select())
            .load(conn)
    }

    /// The service whose patterns admit `url`, if any (by id: where two services admit the same
    /// URL, the first id wins). Services are few, and read whole.
    pub fn matching(
        conn: &mut DbConnection,
        url: &str,
        admits: impl Fn(&str, &str) -> bool,
    ) -> QueryResult<Option<Self>> {
        Ok(Self::all(conn)?
            .into_iter()
            .find(|service| service.patterns().iter().any(|p| admits(p, url))))
    }

    /// Replaces the stored service of the same id; `false` when there is none.
    pub fn update(&self, conn: &mut DbConnection) -> QueryResult<bool> {
        diesel::update(cas_services::table.find(&self.service_id))
            .set(self)
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Removes a service; `false` when there is none.
    pub fn remove(conn: &mut DbConnection, service_id: &str) -> QueryResult<bool> {
        diesel::delete(cas_services::table.find(service_id))
            .execute(conn)
            .map(|n| n == 1)
    }
}

/// A service ticket, as stored (its digest).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = cas_tickets)]
pub struct ServiceTicket {
    pub ticket_hash: String,
    pub service_id: String,
    pub service_url: String,
    pub account_id: String,
    pub session_id: String,
    pub from_new_login: bool,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// What a service ticket is issued for.
pub struct Ticketed<'a> {
    pub service_id: &'a str,
    pub service_url: &'a str,
    pub account_id: &'a str,
    pub session_id: &'a str,
    pub from_new_login: bool,
}

/// Why a presented ticket was not redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unredeemed {
    /// Unknown, expired or already used.
    Unknown,
    /// Issued for another service URL: consumed all the same (CAS 3.0 §2.5.1).
    OtherService,
    /// The validation asked `renew=true` and the ticket came from an existing SSO session.
    NotFromNewLogin,
}

impl ServiceTicket {
    /// Issues a ticket valid `lifetime`: `ST-` and 256 random bits.
    pub fn issue(
        conn: &mut DbConnection,
        ticketed: Ticketed<'_>,
        lifetime: Duration,
        now: NaiveDateTime,
    ) -> QueryResult<String> {
        let ticket = format!("ST-{}", tokens::random_token());
        diesel::insert_into(cas_tickets::table)
            .values(Self {
                ticket_hash: tokens::digest(&ticket),
                service_id: ticketed.service_id.to_owned(),
                service_url: ticketed.service_url.to_owned(),
                account_id: ticketed.account_id.to_owned(),
                session_id: ticketed.session_id.to_owned(),
                from_new_login: ticketed.from_new_login,
                created_at: now,
                expires_at: now + lifetime,
                used_at: None,
            })
            .execute(conn)?;
        Ok(ticket)
    }

    /// Redeems `ticket` for `service_url`, once: the first presentation consumes it whatever
    /// its outcome, so that a ticket seen by the wrong service is no longer worth anything.
    pub fn redeem(
        conn: &mut DbConnection,
        ticket: &str,
        service_url: &str,
        renew: bool,
        now: NaiveDateTime,
    ) -> QueryResult<Result<Self, Unredeemed>> {
        let hash = tokens::digest(ticket);
        let taken = diesel::update(cas_tickets::table.find(&hash))
            .filter(cas_tickets::used_at.is_null())
            .filter(cas_tickets::expires_at.gt(now))
            .set(cas_tickets::used_at.eq(now))
            .execute(conn)?;
        if taken != 1 {
            return Ok(Err(Unredeemed::Unknown));
        }
        let stored: Self = cas_tickets::table
            .find(&hash)
            .select(Self::as_select())
            .first(conn)?;
        if stored.service_url != service_url {
            return Ok(Err(Unredeemed::OtherService));
        }
        if renew && !stored.from_new_login {
            return Ok(Err(Unredeemed::NotFromNewLogin));
        }
        Ok(Ok(stored))
    }

    /// Records that the session of the redeemed `ticket` signed in to its service: what single
    /// logout reaches when the session ends.
    pub fn record_session(
        conn: &mut DbConnection,
        ticket: &str,
        stored: &Self,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(cas_service_sessions::table)
            .values((
                cas_service_sessions::ticket.eq(ticket),
                cas_service_sessions::session_id.eq(&stored.session_id),
                cas_service_sessions::service_id.eq(&stored.service_id),
                cas_service_sessions::created_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }
}

/// Queues a single-logout notice for each service that the sessions `session_ids` signed in to
/// and that registered a logout URL, in the caller's transaction (the one ending the sessions).
/// The sessions' service records go with it: a session ends once.
pub fn sessions_ended(
    conn: &mut DbConnection,
    session_ids: &[String],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if session_ids.is_empty() {
        return Ok(0);
    }
    let owed: Vec<(String, String, String)> = cas_service_sessions::table
        .inner_join(cas_services::table)
        .filter(cas_service_sessions::session_id.eq_any(session_ids))
        .filter(cas_services::logout_url.is_not_null())
        .select((
            cas_service_sessions::service_id,
            cas_services::logout_url.assume_not_null(),
            cas_service_sessions::ticket,
        ))
        .load(conn)?;
    for (service_id, url, ticket) in &owed {
        diesel::insert_into(outbox_cas_logouts::table)
            .values(CasLogoutNotice {
                id: uuid::Uuid::now_v7().to_string(),
                service_id: service_id.clone(),
                url: url.clone(),
                ticket: ticket.clone(),
                created_at: now,
                attempts: 0,
                next_attempt_at: now,
                locked_until: None,
                sent_at: None,
                dead_at: None,
                last_error: None,
            })
            .execute(conn)?;
    }
    diesel::delete(
        cas_service_sessions::table.filter(cas_service_sessions::session_id.eq_any(session_ids)),
    )
    .execute(conn)?;
    Ok(owed.len())
}

/// A single-logout notice, delivered or not.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox_cas_logouts)]
pub struct CasLogoutNotice {
    pub id: String,
    pub service_id: String,
    pub url: String,
    /// The service ticket that opened the service's session: the `SessionIndex`.
    pub ticket: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub dead_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

impl CasLogoutNotice {
    /// Up to `limit` notices due and not held by another instance, oldest first.
    pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Self>> {
        outbox_cas_logouts::table
            .filter(outbox_cas_logouts::sent_at.is_null())
            .filter(outbox_cas_logouts::dead_at.is_null())
            .filter(outbox_cas_logouts::next_attempt_at.le(now))
            .filter(
                outbox_cas_logouts::locked_until
                    .is_null()
                    .or(outbox_cas_logouts::locked_until.lt(now)),
            )
            .order((outbox_cas_logouts::created_at, outbox_cas_logouts::id))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Takes the notice for `lease` (one conditional update: of two instances, one wins).
    pub fn claim(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
        lease: Duration,
    ) -> QueryResult<bool> {
        diesel::update(outbox_cas_logouts::table.find(id))
            .filter(outbox_cas_logouts::sent_at.is_null())
            .filter(outbox_cas_logouts::dead_at.is_null())
            .filter(
                outbox_cas_logouts::locked_until
                    .is_null()
                    .or(outbox_cas_logouts::locked_until.lt(now)),
            )
            .set(outbox_cas_logouts::locked_until.eq(now + lease))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Records the service's acknowledgement.
    pub fn mark_sent(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(outbox_cas_logouts::table.find(id))
            .set((
                outbox_cas_logouts::sent_at.eq(now),
                outbox_cas_logouts::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Records a failed attempt: retried after `retry_in`, or given up when `dead`.
    pub fn mark_failed(
        conn: &mut DbConnection,
        id: &str,
        error: &str,
        now: NaiveDateTime,
        retry_in: Duration,
        dead: bool,
    ) -> QueryResult<()> {
        let error: String = error.chars().take(LAST_ERROR_MAX_CHARS).collect();
        diesel::update(outbox_cas_logouts::table.find(id))
            .set((
                outbox_cas_logouts::attempts.eq(outbox_cas_logouts::attempts + 1),
                outbox_cas_logouts::last_error.eq(error),
                outbox_cas_logouts::next_attempt_at.eq(now + retry_in),
                outbox_cas_logouts::locked_until.eq(None::<NaiveDateTime>),
                outbox_cas_logouts::dead_at.eq(dead.then_some(now)),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Every notice of `service_id`, newest first (tests, operators).
    pub fn of_service(conn: &mut DbConnection, service_id: &str) -> QueryResult<Vec<Self>> {
        outbox_cas_logouts::table
            .filter(outbox_cas_logouts::service_id.eq(service_id))
            .order(outbox_cas_logouts::created_at.desc())
            .select(Self::as_select())
            .load(conn)
    }
}
