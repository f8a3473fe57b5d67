//! `comptexpert seed-demo` and `serve --demo`: a realistic, reproducible register to try the API
//! on. Generated from a fixed seed, written in one transaction with multi-row inserts, and only
//! into a database whose register is empty.

mod french;
pub mod generate;
pub mod people;
pub mod portal;

use std::fmt;

use chrono::Datelike;
use diesel::Connection;

pub use people::{DEMO_PASSWORD, MARIE_DURAND, MEMBER_IDENTIFIER, NEWCOMER, RAC_IDENTIFIER};

use crate::db::{
    self,
    bulk::BulkWrite,
    reference::{Quality, Region},
    registry::{Bureau, Campaign, Firm, Member, PersonalFile},
    DbConnection,
};

/// How big a demo register to generate, and for which contribution year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Generated members, on top of the fixed demo people; firms are one per 20 members.
    pub members: usize,
    /// The year of the open campaigns (the previous year's are closed).
    pub campaign_year: i32,
}

impl DemoSpec {
    /// Members in the full demo register: about the size of the real one.
    pub const FULL_SIZE: usize = 100_000;

    /// The full demo register with this year's campaigns open.
    pub fn full() -> Self {
        Self {
            members: Self::FULL_SIZE,
            campaign_year: chrono::Utc::now().year(),
        }
    }
}

/// How many rows the demo wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Members, fixed people included.
    pub members: usize,
    /// Personal files.
    pub personal_files: usize,
    /// Firms.
    pub firms: usize,
    /// Bureaux.
    pub bureaux: usize,
    /// Campaigns.
    pub campaigns: usize,
    /// Demo accounts.
    pub accounts: usize,
    /// Grants, attachments and ledger entries of the portal.
    pub portal: portal::PortalSummary,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} members, {} personal files, {} firms, {} bureaux, {} campaigns, {} barèmes, {} accounts, {} firm responsables, {} bureau grants, {} attachments, {} submitted declarations, {} ledger entries",
            self.members,
            self.personal_files,
            self.firms,
            self.bureaux,
            self.campaigns,
            self.portal.scales,
            self.accounts,
            self.portal.responsables,
            self.portal.grants,
            self.portal.attachments,
            self.portal.declarations,
            self.portal.ledger_entries
        )
    }
}

/// What [`seed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The register was empty and now holds the demo data.
    Seeded(DemoSummary),
    /// The register already holds data: nothing was written.
    RegisterNotEmpty {
        /// Members already there.
        members: i64,
        /// Firms already there.
        firms: i64,
        /// Campaigns already there.
        campaigns: i64,
    },
}

/// Why the demo data could not be written. Nothing was: the seed is one transaction.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Reference data the demo relies on is missing.
    #[error("the demo data needs {0}")]
    MissingReference(String),
    /// Hashing a demo password failed.
    #[error("cannot hash the demo password: {0}")]
    PasswordHash(String),
    /// The database refused a statement.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}

/// Writes the demo register and accounts when the register (members, firms, campaigns) is empty;
/// otherwise writes nothing and says what is there. Migrations must be applied.
pub fn seed(conn: &mut DbConnection, spec: &DemoSpec) -> Result<SeedOutcome, DemoError> {
    conn.transaction(|conn| {
        let (members, firms, campaigns) = (
            Member::count(conn)?,
            Firm::count(conn)?,
            Campaign::count(conn)?,
        );
        if members + firms + campaigns > 0 {
            return Ok(SeedOutcome::RegisterNotEmpty {
                members,
                firms,
                campaigns,
            });
        }
        let regions: Vec<String> = Region::all(conn)?.into_iter().map(|r| r.code).collect();
        let qualities: Vec<String> = Quality::all(conn)?
            .into_iter()
            .filter(|q| q.registration_path == "registry")
            .map(|q| q.code)
            .collect();
        let now = db::now();
        let register = generate::generate(spec, &regions, &qualities, now)?;
        let summary = DemoSummary {
            members: Member::insert_all(conn, &register.members)?,
            personal_files: PersonalFile::insert_all(conn, &register.personal_files)?,
            firms: Firm::insert_all(conn, &register.firms)?,
            bureaux: Bureau::insert_all(conn, &register.bureaux)?,
            campaigns: Campaign::insert_all(conn, &register.campaigns)?,
            accounts: people::insert_accounts(conn, now)?,
            portal: portal::PortalSummary::default(),
        };
        let summary = DemoSummary {
            portal: portal::seed(conn, &register, now)?,
            ..summary
        };
        demo_site()
            .validate()
            .map_err(|e| DemoError::MissingReference(format!("a valid demo site: {e}")))?
            .into_client(now)
            .0
            .insert(conn)?;
        demo_cas_service()
            .validate()
            .map_err(|e| DemoError::MissingReference(format!("a valid demo CAS service: {e}")))?
            .into_service(now)
            .insert(conn)?;
        Ok(SeedOutcome::Seeded(summary))
    })
}

/// The example site of the Ordre registered by the demo (README, "Connecting a site of the
/// Ordre"): a public client on a loopback port, as a developer's relying party would start.
pub fn demo_site() -> crate::oidc::clients::ClientSpec {
    let base = "http://127.0.0.1:8765";
    crate::oidc::clients::ClientSpec {
        client_id: "annuaire-demo".into(),
        name: "Annuaire de l'Ordre (démo)".into(),
        confidential: false,
        redirect_uris: vec![format!("{base}/callback")],
        post_logout_redirect_uris: vec![format!("{base}/")],
        scopes: ["openid", "profile", "email", "ordre", "offline_access"]
            .map(String::from)
            .to_vec(),
        backchannel_logout_uri: None,
        id_token_alg: "RS256".into(),
        access_token_seconds: 900,
        refresh_token_seconds: 30 * 24 * 3600,
    }
}

/// The example CAS site registered by the demo (README, "Moving a site from today's CAS
/// server"): every URL under a loopback port, every attribute, no single-logout URL.
pub fn demo_cas_service() -> crate::cas::services::ServiceSpec {
    crate::cas::services::ServiceSpec {
        service_id: "intranet-cas-demo".into(),
        name: "Intranet de l'Ordre (démo CAS)".into(),
        patterns: vec!["http://127.0.0.1:8766/*".into()],
        attributes: crate::cas::services::KNOWN_ATTRIBUTES
            .iter()
            .map(|a| (*a).to_owned())
            .collect(),
        logout_url: None,
    }
}
