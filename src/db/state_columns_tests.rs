//! The stored states and kinds (`crate::domain::states`) on each backend: every variant written
//! and read back unchanged, and a value outside the set read back as an error, never a default.
//! SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (in a schema of its own).

use diesel::{prelude::*, result::Error as DieselError};

use super::{build_pool, expertpass_challenges::ExpertpassChallenge, now, run_migrations, Pool};
use crate::domain::states::{
    DeclarationState, DeclarationStatus, ExpertpassChallengeStatus, LedgerEntryKind, PaymentStatus,
    SecurityEventKind, WebhookOutcome,
};

diesel::table! {
    /// A scratch table with one text column, like the state columns of the real tables.
    stored_states (id) {
        id -> Integer,
        value -> Text,
    }
}

/// A migrated database on one backend, and what to drop when the test ends.
struct Backend {
    name: &'static str,
    pool: Pool,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.pg_schema {
            if let Ok(mut conn) = diesel::PgConnection::establish(base) {
                let _ =
                    diesel::sql_query(format!("DROP SCHEMA {schema} CASCADE")).execute(&mut conn);
            }
        }
    }
}

fn migrated(url: &str) -> Pool {
    let pool = build_pool(url).expect("pool");
    run_migrations(&mut pool.get().expect("connection")).expect("migrations");
    pool
}

/// SQLite, and PostgreSQL when `TEST_DATABASE_URL` names one.
fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("states.db").display());
    let mut backends = vec![Backend {
        name: "sqlite",
        pool: migrated(&url),
        _dir: Some(dir),
        pg_schema: None,
    }];
    if let Some(base) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(&base).expect("PostgreSQL reachable");
        diesel::sql_query(format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .expect("create the test schema");
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-csearch_path%3D{schema}");
        backends.push(Backend {
            name: "postgres",
            pool: migrated(&url),
            _dir: None,
            pg_schema: Some((base, schema)),
        });
    }
    backends
}

/// Writes every variant of a set into the scratch table, reads the column back typed, and checks
/// that a text outside the set is refused on the way out.
macro_rules! round_trip {
    ($backend:expr, $set:ty) => {{
        let backend: &Backend = $backend;
        let mut conn = backend.pool.get().expect("connection");
        diesel::sql_query("DROP TABLE IF EXISTS stored_states")
            .execute(&mut conn)
            .expect("drop");
        diesel::sql_query(
            "CREATE TABLE stored_states (id INTEGER PRIMARY KEY, value TEXT NOT NULL)",
        )
        .execute(&mut conn)
        .expect("create");
        for (id, variant) in (0..).zip(<$set>::ALL) {
            diesel::insert_into(stored_states::table)
                .values((stored_states::id.eq(id), stored_states::value.eq(*variant)))
                .execute(&mut conn)
                .expect("insert");
        }
        let read: Vec<$set> = stored_states::table
            .order(stored_states::id)
            .select(stored_states::value)
            .load(&mut conn)
            .unwrap_or_else(|e| panic!("{}: read back: {e}", backend.name));
        assert_eq!(read, <$set>::ALL, "{}", backend.name);

        diesel::sql_query("INSERT INTO stored_states (id, value) VALUES (1000, 'bogus')")
            .execute(&mut conn)
            .expect("insert a stray value");
        let stray = stored_states::table
            .filter(stored_states::id.eq(1000))
            .select(stored_states::value)
            .first::<$set>(&mut conn);
        assert!(
            matches!(stray, Err(DieselError::DeserializationError(_))),
            "{}: {stray:?}",
            backend.name
        );
    }};
}

#[test]
fn every_state_and_kind_survives_a_round_trip_and_a_stray_value_is_an_error() {
    for backend in backends() {
        round_trip!(&backend, PaymentStatus);
        round_trip!(&backend, LedgerEntryKind);
        round_trip!(&backend, ExpertpassChallengeStatus);
        round_trip!(&backend, SecurityEventKind);
        round_trip!(&backend, DeclarationStatus);
        round_trip!(&backend, DeclarationState);
        round_trip!(&backend, WebhookOutcome);
    }
}

fn challenge(status: ExpertpassChallengeStatus) -> ExpertpassChallenge {
    let now = now();
    ExpertpassChallenge {
        id: super::new_id(),
        nonce: super::new_id(),
        poll_token_hash: "0".repeat(64),
        status,
        keep_active: false,
        account_id: None,
        device_id: None,
        created_at: now,
        expires_at: now,
        decided_at: None,
        consumed_at: None,
        number: 42,
        number_choices: "17,42,85".into(),
        user_agent: None,
        client_network: None,
    }
}

#[test]
fn a_challenge_with_an_unknown_status_is_not_read_as_consumed() {
    for backend in backends() {
        let mut conn = backend.pool.get().expect("connection");
        for &status in ExpertpassChallengeStatus::ALL {
            let stored = challenge(status);
            ExpertpassChallenge::insert(&mut conn, &stored).expect("insert");
            let read = ExpertpassChallenge::find(&mut conn, &stored.id)
                .expect("find")
                .expect("stored");
            assert_eq!(read.status, status, "{}", backend.name);
        }

        let stored = challenge(ExpertpassChallengeStatus::Pending);
        ExpertpassChallenge::insert(&mut conn, &stored).expect("insert");
        diesel::sql_query(format!(
            "UPDATE expertpass_challenges SET status = 'expired' WHERE id = '{}'",
            stored.id
        ))
        .execute(&mut conn)
        .expect("a stray status");
        let read = ExpertpassChallenge::find(&mut conn, &stored.id);
        assert!(
            matches!(read, Err(DieselError::DeserializationError(_))),
            "{}: {read:?}",
            backend.name
        );
    }
}
