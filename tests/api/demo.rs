//! `comptexpert seed-demo`: a small demo register, generated twice to check it is reproducible.

use comptexpert::{
    auth::password::{self, Verification},
    db::{self, registry::Member, schema},
    register::demo::{
        self, DemoSpec, SeedOutcome, DEMO_PASSWORD, MEMBER_IDENTIFIER, NEWCOMER, RAC_IDENTIFIER,
    },
};
use diesel::prelude::*;

use crate::helpers::{spawn_app, TestApp};

const SPEC: DemoSpec = DemoSpec {
    members: 2_000,
    campaign_year: 2026,
};

fn seed(app: &TestApp) -> SeedOutcome {
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    demo::seed(&mut conn, &SPEC).expect("the demo data is written")
}

fn connection(app: &TestApp) -> db::PooledConnection {
    db::build_pool(&app.database_url)
        .expect("pool")
        .get()
        .expect("connection")
}

/// Every member, by SUPRA number, with the instants of writing blanked out.
fn members(app: &TestApp) -> Vec<Member> {
    let epoch = chrono::NaiveDateTime::default();
    schema::members::table
        .order(schema::members::supra_number)
        .select(Member::as_select())
        .load(&mut *connection(app))
        .expect("members")
        .into_iter()
        .map(|m| Member {
            created_at: epoch,
            updated_at: epoch,
            ..m
        })
        .collect()
}

#[actix_web::test]
async fn the_demo_register_is_the_same_on_every_run() {
    // Arrange
    let (first, second) = (spawn_app().await, spawn_app().await);

    // Act
    let outcome = seed(&first);
    seed(&second);

    // Assert
    let SeedOutcome::Seeded(summary) = outcome else {
        panic!("an empty database is seeded");
    };
    assert_eq!(summary.members, 2_002);
    assert_eq!(summary.firms, 101);
    assert_eq!(summary.campaigns, 48);
    assert_eq!(summary.accounts, 5);
    let (a, b) = (members(&first), members(&second));
    assert_eq!(a.len(), 2_002);
    assert!(a == b, "two runs must produce identical members");
}

#[actix_web::test]
async fn the_demo_register_looks_like_the_real_one() {
    // Arrange
    let app = spawn_app().await;

    // Act
    seed(&app);

    // Assert
    let members = members(&app);
    let regions: std::collections::HashSet<&str> =
        members.iter().map(|m| m.region_code.as_str()).collect();
    assert_eq!(regions.len(), 24, "members in every region");
    assert!(members.iter().all(|m| m.quality_code != "autre_profil"));
    assert!(members
        .iter()
        .any(|m| m.first_name.contains('-') || m.last_name.contains('-')));
    assert!(members.iter().any(|m| m.last_name.contains('\'')));
    assert!(members
        .iter()
        .any(|m| m.first_name.chars().any(|c| "éèëïç".contains(c))));
    let supra_numbers: std::collections::HashSet<&str> =
        members.iter().map(|m| m.supra_number.as_str()).collect();
    assert_eq!(
        supra_numbers.len(),
        members.len(),
        "SUPRA numbers are unique"
    );

    let conn = &mut *connection(&app);
    let open: i64 = schema::campaigns::table
        .filter(schema::campaigns::year.eq(2026))
        .filter(schema::campaigns::is_open.eq(true))
        .count()
        .get_result(conn)
        .expect("open campaigns");
    assert_eq!(open, 24, "an open campaign per region");
    let principal: Vec<String> = schema::bureaux::table
        .filter(schema::bureaux::inscription_type.eq("PRINCIPAL"))
        .select(schema::bureaux::firm_id)
        .load(conn)
        .expect("main bureaux");
    let firms: i64 = schema::firms::table
        .count()
        .get_result(conn)
        .expect("firms");
    let distinct: std::collections::HashSet<&String> = principal.iter().collect();
    assert_eq!(
        (principal.len() as i64, distinct.len() as i64),
        (firms, firms),
        "one PRINCIPAL per firm"
    );
    let conflicts: i64 = schema::personal_files::table
        .inner_join(schema::members::table)
        .filter(schema::personal_files::email.ne(schema::members::email))
        .count()
        .get_result(conn)
        .expect("conflicting files");
    assert!(
        conflicts > 0,
        "some files hold another address than the register"
    );
}

/// What the test reads of an account: identifier, status, qualité, member, password hash.
type DemoAccountRow = (String, String, String, Option<String>, Option<String>);

#[actix_web::test]
async fn the_demo_accounts_sign_in_with_the_documented_password() {
    // Arrange
    let app = spawn_app().await;

    // Act
    seed(&app);

    // Assert
    let conn = &mut *connection(&app);
    let accounts: Vec<DemoAccountRow> = schema::accounts::table
        .order(schema::accounts::identifier)
        .select((
            schema::accounts::identifier,
            schema::accounts::status,
            schema::accounts::quality_code,
            schema::accounts::member_id,
            schema::accounts::password_hash,
        ))
        .load(conn)
        .expect("accounts");
    let identifiers: Vec<&str> = accounts.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        identifiers,
        [
            "admin.demo",
            "conseil.paris.demo",
            MEMBER_IDENTIFIER,
            RAC_IDENTIFIER,
            "support.demo"
        ]
    );
    for (identifier, status, quality, member_id, hash) in &accounts {
        assert_eq!(status, "active", "{identifier}");
        assert_eq!(
            password::verify(DEMO_PASSWORD, hash.as_deref().expect("a password")),
            Verification::Match,
            "{identifier}"
        );
        assert_eq!(
            member_id.is_some(),
            quality != "autre_profil",
            "{identifier}"
        );
    }
    let newcomer = Member::find_by_supra_number(conn, NEWCOMER.supra_number)
        .expect("query")
        .expect("the newcomer is on the register");
    assert_eq!(newcomer.birth_date.to_string(), NEWCOMER.birth_date);
    let newcomer_accounts: i64 = schema::accounts::table
        .filter(schema::accounts::member_id.eq(&newcomer.id))
        .count()
        .get_result(conn)
        .expect("count");
    assert_eq!(newcomer_accounts, 0, "the newcomer has no account yet");
}

#[actix_web::test]
async fn a_register_that_is_not_empty_is_left_alone() {
    // Arrange
    let app = spawn_app().await;
    seed(&app);

    // Act
    let outcome = seed(&app);

    // Assert
    assert_eq!(
        outcome,
        SeedOutcome::RegisterNotEmpty {
            members: 2_002,
            firms: 101,
            campaigns: 48
        }
    );
}

#[actix_web::test]
async fn the_demo_staff_sign_in_and_reach_what_their_role_allows() {
    use awc::http::Method;
    let app = spawn_app().await;
    seed(&app);
    let token = |response: crate::helpers::TestResponse| {
        assert_eq!(response.status.as_u16(), 201, "{:?}", response.json());
        response.json()["access_token"]
            .as_str()
            .expect("a token")
            .to_owned()
    };
    let get = |path: String, token: String| {
        let request = app.authed(Method::GET, &path, &token);
        async { app.send(request, None).await }
    };
    let support = token(app.sign_in("support.demo", DEMO_PASSWORD, false).await);
    let council = token(
        app.sign_in("conseil.paris.demo", DEMO_PASSWORD, false)
            .await,
    );
    let admin = token(app.sign_in("admin.demo", DEMO_PASSWORD, false).await);

    let found = get("/v1/staff/accounts?q=mdurand".into(), support).await;
    assert_eq!(found.json()["items"][0]["identifier"], MEMBER_IDENTIFIER);
    let summary = get(
        "/v1/staff/regions/paris-ile-de-france/summary".into(),
        council.clone(),
    )
    .await;
    assert_eq!(summary.status.as_u16(), 200, "{:?}", summary.json());
    assert!(summary.json()["bureaux"].as_i64().expect("a count") > 0);
    get(
        "/v1/staff/regions/rhone-alpes/summary".into(),
        council.clone(),
    )
    .await
    .assert_problem(404, "not_found");
    get("/v1/staff/accounts?q=mdurand".into(), council)
        .await
        .assert_problem(404, "not_found");
    let sites = get("/v1/staff/clients".into(), admin.clone()).await.json();
    assert_eq!(sites["clients"][0]["client_id"], "annuaire-demo");
    get(
        "/v1/staff/regions/paris-ile-de-france/summary".into(),
        admin,
    )
    .await
    .assert_problem(404, "not_found");
}
