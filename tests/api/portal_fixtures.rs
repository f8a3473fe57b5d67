//! Portal data written straight to a test's database: firms, bureaux, campaigns, attachments,
//! ledger entries, grants, regional files; and [`WorldBuilder`], the one way the portal,
//! declaration and payment tests build their worlds from it.

use std::collections::HashMap;

use comptexpert::db::{self, schema::*, DbConnection, PooledConnection};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl, TextExpressionMethods};
use serde_json::Value;

use crate::{
    fixtures::{MemberSpec, TestAccount},
    helpers::{spawn_app_with, TestApp},
};

pub const PARIS: &str = "paris-ile-de-france";
pub const BRETAGNE: &str = "bretagne";

/// An amount of the API in cents, checking it is in euros.
pub fn cents(v: &Value) -> i64 {
    assert_eq!(v["currency"], "EUR", "{v}");
    v["amount_cents"].as_i64().expect("cents")
}

/// Luc Bernard, the second member of the worlds (Marie Durand is `MemberSpec::default()`).
pub fn luc() -> MemberSpec<'static> {
    MemberSpec {
        supra_number: "22222222",
        last_name: "Bernard",
        first_name: "Luc",
        email: "luc@ex.fr",
        ..MemberSpec::default()
    }
}

/// Who an attachment is for: a member (PP, by id) or a firm (PM, by its reference).
#[derive(Clone, Copy)]
pub enum Person<'a> {
    Member(&'a str),
    Firm(&'a str),
}

/// Builds a test world: an application, its members and accounts, and the register's campaigns,
/// firms and bureaux, which the later steps name by region and year or by reference as the
/// tests and the API do, rather than by the ids the database gave them.
pub struct WorldBuilder {
    pub app: TestApp,
    portal: Portal,
    campaigns: HashMap<(String, i32), String>,
    firms: HashMap<String, String>,
    bureaux: HashMap<String, String>,
}

impl WorldBuilder {
    /// A world on an application with the default test settings.
    pub async fn new() -> Self {
        Self::with_settings(|_| {}).await
    }

    /// A world on an application whose settings `customise` adjusted.
    pub async fn with_settings(customise: impl FnOnce(&mut comptexpert::config::Settings)) -> Self {
        let app = spawn_app_with(customise).await;
        let portal = Portal::of(&app);
        Self {
            app,
            portal,
            campaigns: HashMap::new(),
            firms: HashMap::new(),
            bureaux: HashMap::new(),
        }
    }

    /// Adds a member of the register; returns its id.
    pub fn member(&self, spec: MemberSpec<'_>) -> String {
        self.app.add_member(spec)
    }

    /// Adds an active account with no member (a RAC, say) with the worlds' password.
    pub fn account(&self, identifier: &str, email: &str) -> TestAccount {
        self.app.add_active_account(identifier, "Rac-2026!", email)
    }

    /// Opens (or not) a region's campaign for a year; returns its id.
    pub fn campaign(&mut self, region: &str, year: i32, open: bool) -> String {
        let id = self.portal.campaign(region, year, open);
        self.campaigns.insert((region.to_owned(), year), id.clone());
        id
    }

    /// Adds a firm; returns its id.
    pub fn firm(&mut self, firm_ref: &str, name: &str) -> String {
        let id = self.portal.firm(firm_ref, name);
        self.firms.insert(firm_ref.to_owned(), id.clone());
        id
    }

    /// Adds a bureau of a firm added before, principal or secondary; returns its id.
    pub fn bureau(&mut self, bureau_ref: &str, firm_ref: &str, region: &str, principal: bool) {
        let firm = self.firm_id(firm_ref);
        let id = self.portal.bureau(bureau_ref, &firm, region, principal);
        self.bureaux.insert(bureau_ref.to_owned(), id);
    }

    /// Lets `account` manage each of the bureaux.
    pub fn grant(&mut self, bureau_refs: &[&str], account: &TestAccount) {
        for bureau_ref in bureau_refs {
            let bureau = self.bureau_id(bureau_ref);
            self.portal.grant(&bureau, &account.id);
        }
    }

    /// Attaches a person to a bureau for the campaign of `(region, year)`; returns the
    /// attachment's id.
    pub fn attach(
        &mut self,
        campaign: (&str, i32),
        bureau_ref: &str,
        person: Person<'_>,
        state: &str,
    ) -> String {
        let campaign = self.campaign_id(campaign);
        let bureau = self.bureau_id(bureau_ref);
        match person {
            Person::Member(member) => {
                self.portal
                    .attach(&campaign, &bureau, Some(member), None, state)
            }
            Person::Firm(firm_ref) => {
                let firm = self.firm_id(firm_ref);
                self.portal
                    .attach(&campaign, &bureau, None, Some(&firm), state)
            }
        }
    }

    /// Books a ledger entry on a bureau for the campaign of `(region, year)`, for one of its
    /// attachments or for the bureau itself.
    pub fn ledger(
        &mut self,
        campaign: (&str, i32),
        bureau_ref: &str,
        attachment: Option<&str>,
        kind: &str,
        cents: i64,
    ) {
        let campaign = self.campaign_id(campaign);
        let bureau = self.bureau_id(bureau_ref);
        self.portal
            .ledger(&campaign, &bureau, attachment, kind, cents);
    }

    /// The lower-level writes (barème, regional files, grants to firms' responsables…).
    pub fn portal(&mut self) -> &mut Portal {
        &mut self.portal
    }

    /// The id of a firm added before.
    pub fn firm_id(&self, firm_ref: &str) -> String {
        self.firms
            .get(firm_ref)
            .unwrap_or_else(|| panic!("no firm {firm_ref} in the world"))
            .clone()
    }

    fn bureau_id(&self, bureau_ref: &str) -> String {
        self.bureaux
            .get(bureau_ref)
            .unwrap_or_else(|| panic!("no bureau {bureau_ref} in the world"))
            .clone()
    }

    fn campaign_id(&self, (region, year): (&str, i32)) -> String {
        self.campaigns
            .get(&(region.to_owned(), year))
            .unwrap_or_else(|| panic!("no {year} campaign in {region}"))
            .clone()
    }

    /// The application, with everything written.
    pub fn build(self) -> TestApp {
        self.app
    }
}

/// A connection to the test's database.
pub struct Portal {
    conn: PooledConnection,
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Portal {
    pub fn of(app: &TestApp) -> Self {
        let pool = db::build_pool(&app.database_url).expect("pool");
        Self {
            conn: pool.get().expect("connection"),
        }
    }

    fn conn(&mut self) -> &mut DbConnection {
        &mut self.conn
    }

    pub fn firm(&mut self, firm_ref: &str, name: &str) -> String {
        let (id, now) = (id(), db::now());
        diesel::insert_into(firms::table)
            .values((
                firms::id.eq(&id),
                firms::firm_ref.eq(firm_ref),
                firms::name.eq(name),
                firms::created_at.eq(now),
                firms::updated_at.eq(now),
            ))
            .execute(self.conn())
            .expect("firm");
        id
    }

    pub fn bureau(
        &mut self,
        bureau_ref: &str,
        firm_id: &str,
        region: &str,
        principal: bool,
    ) -> String {
        let (id, now) = (id(), db::now());
        diesel::insert_into(bureaux::table)
            .values((
                bureaux::id.eq(&id),
                bureaux::bureau_ref.eq(bureau_ref),
                bureaux::firm_id.eq(firm_id),
                bureaux::region_code.eq(region),
                bureaux::inscription_type.eq(if principal { "PRINCIPAL" } else { "SECONDAIRE" }),
                bureaux::address_line.eq("1 place de la Bourse"),
                bureaux::postal_code.eq("75002"),
                bureaux::city.eq("Paris"),
                bureaux::created_at.eq(now),
                bureaux::updated_at.eq(now),
            ))
            .execute(self.conn())
            .expect("bureau");
        id
    }

    pub fn campaign(&mut self, region: &str, year: i32, open: bool) -> String {
        let (id, now) = (id(), db::now());
        diesel::insert_into(campaigns::table)
            .values((
                campaigns::id.eq(&id),
                campaigns::region_code.eq(region),
                campaigns::year.eq(year),
                campaigns::is_open.eq(open),
                campaigns::created_at.eq(now),
                campaigns::updated_at.eq(now),
            ))
            .execute(self.conn())
            .expect("campaign");
        id
    }

    /// Attaches a member (PP) or a firm (PM) to a bureau for a campaign.
    pub fn attach(
        &mut self,
        campaign: &str,
        bureau: &str,
        member: Option<&str>,
        firm: Option<&str>,
        state: &str,
    ) -> String {
        let (id, now) = (id(), db::now());
        diesel::insert_into(attachments::table)
            .values((
                attachments::id.eq(&id),
                attachments::campaign_id.eq(campaign),
                attachments::bureau_id.eq(bureau),
                attachments::person_kind.eq(if member.is_some() { "PP" } else { "PM" }),
                attachments::member_id.eq(member),
                attachments::firm_id.eq(firm),
                attachments::declaration_state.eq(state),
                attachments::created_at.eq(now),
                attachments::updated_at.eq(now),
            ))
            .execute(self.conn())
            .expect("attachment");
        id
    }

    pub fn ledger(
        &mut self,
        campaign: &str,
        bureau: &str,
        attachment: Option<&str>,
        kind: &str,
        cents: i64,
    ) {
        diesel::insert_into(ledger_entries::table)
            .values((
                ledger_entries::id.eq(id()),
                ledger_entries::campaign_id.eq(campaign),
                ledger_entries::bureau_id.eq(bureau),
                ledger_entries::attachment_id.eq(attachment),
                ledger_entries::entry_kind.eq(kind),
                ledger_entries::amount_cents.eq(cents),
                ledger_entries::created_at.eq(db::now()),
            ))
            .execute(self.conn())
            .expect("ledger entry");
    }

    pub fn grant(&mut self, bureau: &str, account: &str) {
        diesel::insert_into(bureau_managers::table)
            .values((
                bureau_managers::bureau_id.eq(bureau),
                bureau_managers::account_id.eq(account),
                bureau_managers::created_at.eq(db::now()),
            ))
            .execute(self.conn())
            .expect("grant");
    }

    pub fn responsable(&mut self, firm: &str, member: &str) {
        diesel::insert_into(firm_responsables::table)
            .values((
                firm_responsables::firm_id.eq(firm),
                firm_responsables::member_id.eq(member),
            ))
            .execute(self.conn())
            .expect("responsable");
    }

    pub fn personal_file(&mut self, member: &str, region: &str, email: &str) {
        let now = db::now();
        diesel::insert_into(personal_files::table)
            .values((
                personal_files::id.eq(id()),
                personal_files::member_id.eq(member),
                personal_files::region_code.eq(region),
                personal_files::email.eq(email),
                personal_files::created_at.eq(now),
                personal_files::updated_at.eq(now),
            ))
            .execute(self.conn())
            .expect("personal file");
    }

    pub fn region_contact(&mut self, region: &str, account: &str, email: &str) {
        diesel::insert_into(region_contacts::table)
            .values((
                region_contacts::region_code.eq(region),
                region_contacts::account_id.eq(account),
                region_contacts::email.eq(email),
                region_contacts::updated_at.eq(db::now()),
            ))
            .execute(self.conn())
            .expect("region contact");
    }

    /// Loads a barème file (what the register import does), calling the bureaux' fixed parts.
    pub fn load_scales(&mut self, csv: &str) {
        comptexpert::contributions::scale::load_csv(self.conn(), csv.as_bytes())
            .expect("barème loaded");
    }

    /// Sets a member's year of registration (new-member reductions).
    pub fn registration_year(&mut self, member: &str, year: i32) {
        use diesel::QueryDsl;
        diesel::update(members::table.filter(members::id.eq(member)))
            .set(members::registration_year.eq(year))
            .execute(self.conn())
            .expect("registration year");
    }

    /// What the ledger says of a bureau for a campaign: (total called, balance), straight from
    /// the entries, independently of the API's queries.
    pub fn ledger_figures(&mut self, campaign: &str, bureau_ref: &str) -> (i64, i64) {
        use diesel::QueryDsl;
        let rows: Vec<(String, i64)> = ledger_entries::table
            .inner_join(bureaux::table)
            .filter(ledger_entries::campaign_id.eq(campaign))
            .filter(bureaux::bureau_ref.eq(bureau_ref))
            .select((ledger_entries::entry_kind, ledger_entries::amount_cents))
            .load(self.conn())
            .expect("ledger");
        let (mut total, mut paid) = (0i64, 0i64);
        for (kind, cents) in rows {
            match kind.as_str() {
                "charge" => total += cents,
                "charge_cancellation" => total -= cents,
                "payment" => paid += cents,
                "refund" => paid -= cents,
                other => panic!("unknown entry kind {other}"),
            }
        }
        (total, total - paid)
    }

    /// What the pending payments' parts reserve on a bureau for a campaign, in cents, straight
    /// from the tables.
    pub fn reserved_by_pending(&mut self, campaign: &str, bureau_ref: &str) -> i64 {
        use diesel::QueryDsl;
        payment_allocations::table
            .inner_join(payments::table)
            .inner_join(bureaux::table)
            .filter(payments::campaign_id.eq(campaign))
            .filter(payments::status.eq("pending"))
            .filter(bureaux::bureau_ref.eq(bureau_ref))
            .select(payment_allocations::amount_cents)
            .load::<i64>(self.conn())
            .expect("parts")
            .into_iter()
            .sum()
    }

    /// The ledger entries of one kind booked for a person, in cents, oldest first.
    pub fn person_entries(&mut self, attachment: &str, kind: &str) -> Vec<i64> {
        use diesel::QueryDsl;
        ledger_entries::table
            .filter(ledger_entries::attachment_id.eq(attachment))
            .filter(ledger_entries::entry_kind.eq(kind))
            .order(ledger_entries::created_at)
            .select(ledger_entries::amount_cents)
            .load::<i64>(self.conn())
            .expect("entries")
    }

    /// The sum of the ledger `payment` entries booked for a payment.
    pub fn booked_for_payment(&mut self, payment: &str) -> i64 {
        use diesel::QueryDsl;
        ledger_entries::table
            .filter(ledger_entries::payment_id.eq(payment))
            .filter(ledger_entries::entry_kind.eq("payment"))
            .select(ledger_entries::amount_cents)
            .load::<i64>(self.conn())
            .expect("entries")
            .into_iter()
            .sum()
    }

    /// Number of payments stored.
    pub fn payment_count(&mut self) -> i64 {
        use diesel::QueryDsl;
        payments::table
            .count()
            .get_result(self.conn())
            .expect("count")
    }

    /// Leaves the reservation of every key ending in `key_suffix` as a process killed between
    /// the operation and its answer leaves it: in progress, no answer kept, its lease run out
    /// (`expired`) or still running.
    pub fn as_if_killed(&mut self, key_suffix: &str, expired: bool) {
        use comptexpert::db::schema::idempotency_records;
        let lease_end = if expired {
            db::now() - chrono::Duration::minutes(1)
        } else {
            db::now() + chrono::Duration::minutes(1)
        };
        let updated = diesel::update(
            idempotency_records::table
                .filter(idempotency_records::idempotency_key.like(format!("%{key_suffix}"))),
        )
        .set((
            idempotency_records::status.eq(comptexpert::db::idempotency::IN_PROGRESS),
            idempotency_records::body.eq(""),
            idempotency_records::locked_until.eq(Some(lease_end)),
        ))
        .execute(self.conn())
        .expect("reservation");
        assert_eq!(updated, 1, "one reservation for {key_suffix}");
    }

    /// Leaves the payment as if its process was killed before the provider answered: no
    /// provider reference, no checkout, no transfer reference.
    pub fn as_if_provider_never_answered(&mut self, payment: &str) {
        diesel::update(payments::table.find(payment))
            .set((
                payments::provider_reference.eq(format!("pending:{payment}")),
                payments::checkout_url.eq(None::<String>),
                payments::transfer_reference.eq(None::<String>),
            ))
            .execute(self.conn())
            .expect("payment");
    }

    /// Moves the payment's expiry into the past, as if its delay had run out.
    pub fn as_if_overdue(&mut self, payment: &str) {
        let updated = diesel::update(payments::table.find(payment))
            .set(payments::expires_at.eq(Some(db::now() - chrono::Duration::minutes(1))))
            .execute(self.conn())
            .expect("payment");
        assert_eq!(updated, 1, "payment {payment}");
    }
}
