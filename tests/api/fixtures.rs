//! Register data for tests, written straight to the test's database, and the registration
//! endpoints of the TestApp.

use awc::http::Method;
use chrono::NaiveDate;
use comptexpert::db::{self, registry::Member};
use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

/// A member to put in the register.
pub struct MemberSpec<'a> {
    pub supra_number: &'a str,
    pub civility: &'a str,
    pub last_name: &'a str,
    pub first_name: &'a str,
    pub birth_date: &'a str,
    pub quality: &'a str,
    pub email: &'a str,
}

impl Default for MemberSpec<'_> {
    fn default() -> Self {
        Self {
            supra_number: "12345678",
            civility: "MME",
            last_name: "Durand",
            first_name: "Marie",
            birth_date: "1978-04-12",
            quality: "expert_comptable_independant",
            email: "marie.durand@cabinet-durand.fr",
        }
    }
}

impl TestApp {
    /// Adds a member to the register and returns their `member_ref`.
    pub fn add_member(&self, spec: MemberSpec<'_>) -> String {
        let pool = db::build_pool(&self.database_url).expect("pool");
        let mut conn = pool.get().expect("connection");
        let now = db::now();
        let member = Member {
            id: uuid::Uuid::now_v7().to_string(),
            supra_number: spec.supra_number.to_owned(),
            civility: spec.civility.to_owned(),
            last_name: spec.last_name.to_owned(),
            first_name: spec.first_name.to_owned(),
            birth_date: NaiveDate::parse_from_str(spec.birth_date, "%Y-%m-%d").expect("date"),
            registration_year: 2009,
            quality_code: spec.quality.to_owned(),
            region_code: "paris-ile-de-france".to_owned(),
            email: spec.email.to_owned(),
            search_key: comptexpert::domain::names::search_key(spec.last_name, spec.first_name),
            created_at: now,
            updated_at: now,
        };
        // As the import writes members: with the name pre-fill's word keys.
        <Member as comptexpert::db::bulk::BulkWrite>::insert_all(
            &mut conn,
            std::slice::from_ref(&member),
        )
        .expect("insert member");
        member.id
    }

    /// Number of accounts in the database.
    pub fn account_count(&self) -> i64 {
        use diesel::QueryDsl;
        let pool = db::build_pool(&self.database_url).expect("pool");
        let mut conn = pool.get().expect("connection");
        db::schema::accounts::table
            .count()
            .get_result(&mut conn)
            .expect("count")
    }

    /// `GET /v1/registry/members?q=`.
    pub async fn search_members(&self, q: &str) -> TestResponse {
        let request = self
            .request(Method::GET, "/v1/registry/members")
            .query(&[("q", q)])
            .expect("query");
        self.send(request, None).await
    }

    /// `POST /v1/registry/matches`.
    pub async fn match_member(&self, supra_number: &str, birth_date: &str) -> TestResponse {
        self.post_json(
            "/v1/registry/matches",
            json!({"supra_number": supra_number, "birth_date": birth_date}),
        )
        .await
    }

    /// `POST /v1/accounts`.
    pub async fn create_member_account(&self, quality: &str, member_ref: &str) -> TestResponse {
        self.post_json(
            "/v1/accounts",
            json!({"quality": quality, "member_ref": member_ref}),
        )
        .await
    }

    /// `POST /v1/accounts` with an `Idempotency-Key`.
    pub async fn create_member_account_with_key(
        &self,
        quality: &str,
        member_ref: &str,
        key: &str,
    ) -> TestResponse {
        let request = self
            .request(Method::POST, "/v1/accounts")
            .insert_header(("Idempotency-Key", key));
        self.send(
            request,
            Some(json!({"quality": quality, "member_ref": member_ref})),
        )
        .await
    }

    /// `POST /v1/accounts/external`.
    pub async fn create_external_account(&self, body: Value) -> TestResponse {
        self.post_json("/v1/accounts/external", body).await
    }

    /// `GET /v1/password-tokens/{token}`.
    pub async fn inspect_password_token(&self, token: &str) -> TestResponse {
        self.get(&format!("/v1/password-tokens/{token}")).await
    }

    /// `POST /v1/password-tokens/{token}`.
    pub async fn set_password(&self, token: &str, password: &str) -> TestResponse {
        self.post_json(
            &format!("/v1/password-tokens/{token}"),
            json!({"password": password, "password_confirmation": password}),
        )
        .await
    }
}

/// A valid "Autre profil" form.
pub fn rac_form(identifier: &str, email: &str) -> Value {
    json!({
        "identifier": identifier,
        "email": email,
        "civility": "MME",
        "last_name": "Martin",
        "first_name": "Jeanne",
        "phone": "01 23 45 67 89",
        "address": "12 rue de la Paix",
        "city": "Paris",
        "postal_code": "75002",
        "birth_year": 1985,
        "accepts_communications": true
    })
}

/// The token at the end of an emailed password link (`…/mot-de-passe#token=…`).
pub fn token_from_link(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("a token in the link")
        .trim()
        .to_owned()
}

/// An active account created straight in the database.
pub struct TestAccount {
    pub id: String,
    pub identifier: String,
    pub password: String,
    pub email: String,
}

impl TestApp {
    /// Creates an active "Autre profil" account with a password.
    pub fn add_active_account(&self, identifier: &str, password: &str, email: &str) -> TestAccount {
        self.insert_account(identifier, password, email, None, true)
    }

    /// Creates an active account, for a register member when `member_id` is given.
    pub fn add_active_account_of(
        &self,
        member_id: Option<&str>,
        identifier: &str,
        password: &str,
        email: &str,
    ) -> TestAccount {
        self.insert_account(identifier, password, email, member_id, true)
    }

    /// Creates the account of a register member (see [`TestApp::add_member`]), active or still
    /// waiting for its activation link.
    pub fn add_member_account(
        &self,
        member_ref: &str,
        identifier: &str,
        password: &str,
        email: &str,
        active: bool,
    ) -> TestAccount {
        self.insert_account(identifier, password, email, Some(member_ref), active)
    }

    fn insert_account(
        &self,
        identifier: &str,
        password: &str,
        email: &str,
        member_id: Option<&str>,
        active: bool,
    ) -> TestAccount {
        use comptexpert::db::accounts::{status, Account};
        let pool = db::build_pool(&self.database_url).expect("pool");
        let mut conn = pool.get().expect("connection");
        let now = db::now();
        let account = Account {
            id: uuid::Uuid::now_v7().to_string(),
            identifier: identifier.to_owned(),
            email: email.to_owned(),
            quality_code: if member_id.is_some() {
                "expert_comptable_independant"
            } else {
                "autre_profil"
            }
            .to_owned(),
            member_id: member_id.map(str::to_owned),
            civility: "MME".to_owned(),
            last_name: "Martin".to_owned(),
            first_name: "Jeanne".to_owned(),
            phone: None,
            address: Some("12 rue de la Paix".to_owned()),
            city: Some("Paris".to_owned()),
            postal_code: Some("75002".to_owned()),
            birth_year: Some(1985),
            accepts_communications: false,
            password_hash: active
                .then(|| comptexpert::auth::password::hash(password).expect("hash")),
            status: if active {
                status::ACTIVE
            } else {
                status::PENDING
            }
            .to_owned(),
            created_at: now,
            updated_at: now,
            activated_at: active.then_some(now),
        };
        Account::insert(&mut conn, &account).expect("insert account");
        TestAccount {
            id: account.id,
            identifier: identifier.to_owned(),
            password: password.to_owned(),
            email: email.to_owned(),
        }
    }

    /// Moves a challenge's expiry into the past, as if its minutes had run out (`table` is
    /// `expertpass_challenges` or `signexpert_challenges`).
    pub fn expire_challenge(&self, table: &str, id: &str) {
        let pool = db::build_pool(&self.database_url).expect("pool");
        let mut conn = pool.get().expect("connection");
        let past = db::now() - chrono::Duration::seconds(1);
        let updated = match table {
            "expertpass_challenges" => {
                use comptexpert::db::schema::expertpass_challenges::dsl as c;
                use diesel::{ExpressionMethods, QueryDsl};
                diesel::update(c::expertpass_challenges.find(id))
                    .set(c::expires_at.eq(past))
                    .execute(&mut conn)
            }
            "signexpert_challenges" => {
                use comptexpert::db::schema::signexpert_challenges::dsl as c;
                use diesel::{ExpressionMethods, QueryDsl};
                diesel::update(c::signexpert_challenges.find(id))
                    .set(c::expires_at.eq(past))
                    .execute(&mut conn)
            }
            other => panic!("no challenge table {other}"),
        }
        .expect("expire the challenge");
        assert_eq!(updated, 1, "challenge {id} exists");
    }

    /// `POST /v1/sessions`.
    pub async fn sign_in(
        &self,
        identifier: &str,
        password: &str,
        keep_session_active: bool,
    ) -> TestResponse {
        self.post_json(
            "/v1/sessions",
            json!({"identifier": identifier, "password": password, "keep_session_active": keep_session_active}),
        )
        .await
    }

    /// Signs in and returns the access and refresh tokens.
    pub async fn signed_in(&self, account: &TestAccount) -> (String, String) {
        let response = self
            .sign_in(&account.identifier, &account.password, false)
            .await;
        assert_eq!(
            response.status.as_u16(),
            201,
            "sign-in failed: {:?}",
            response.json()
        );
        let body = response.json();
        (
            body["access_token"]
                .as_str()
                .expect("access token")
                .to_owned(),
            body["refresh_token"]
                .as_str()
                .expect("refresh token")
                .to_owned(),
        )
    }

    /// `POST /v1/sessions/refresh`.
    pub async fn refresh(&self, refresh_token: &str) -> TestResponse {
        self.post_json(
            "/v1/sessions/refresh",
            json!({"refresh_token": refresh_token}),
        )
        .await
    }

    /// A request with `Authorization: Bearer`.
    pub fn authed(&self, method: Method, path: &str, access_token: &str) -> awc::ClientRequest {
        self.request(method, path)
            .insert_header(("Authorization", format!("Bearer {access_token}")))
    }

    /// `GET /v1/me`.
    pub async fn me(&self, access_token: &str) -> TestResponse {
        self.send(self.authed(Method::GET, "/v1/me", access_token), None)
            .await
    }

    /// `POST /v1/recovery`.
    pub async fn recover(&self, email: &str) -> TestResponse {
        self.post_json("/v1/recovery", json!({"email": email}))
            .await
    }
}
