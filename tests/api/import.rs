//! `comptexpert import`: the register's CSV extracts, loaded into an isolated database.

use std::path::Path;

use comptexpert::{
    db::{self, registry::Member, schema},
    register::{import_register, ImportError, ImportSummary},
};
use diesel::prelude::*;

use crate::helpers::{spawn_app, TestApp};

const REGIONS: &str = "\
code,name,position
mayotte,Mayotte,25
";

const MEMBERS: &str = "\
supra_number,civility,last_name,first_name,birth_date,registration_year,quality_code,region_code,email
0750118,MME,Durand,Marie,1978-04-12,2006,expert_comptable_independant,paris-ile-de-france,marie.durand@cabinet-durand.example
0750342,Mme,D'Artagnan-Lefèvre,Hélène,1984-09-23,2012,expert_comptable_salarie,paris-ile-de-france,Helene.Dartagnan@cabinet-durand.example
2900417,M,Le Bihan,Jean-Baptiste,1969-01-30,1998,expert_comptable_honoraire,mayotte,jb.lebihan@mail.example
";

const FIRMS: &str = "\
firm_ref,name
F000001,Cabinet Durand & Associés
F000002,\"N'Diaye, Le Bihan et Associés\"
";

const BUREAUX: &str = "\
bureau_ref,firm_ref,region_code,inscription_type,address_line,postal_code,city
B0000001,F000001,paris-ile-de-france,PRINCIPAL,42 rue du Faubourg Saint-Honoré,75008,Paris
B0000002,F000001,rhone-alpes,SECONDAIRE,15 quai Saint-Antoine,69002,Lyon
B0000003,F000002,mayotte,PRINCIPAL,3 rue du Commerce,97600,Mamoudzou
";

const PERSONAL_FILES: &str = "\
supra_number,region_code,email
0750118,paris-ile-de-france,contact@cabinet-durand.example
0750342,paris-ile-de-france,helene.dartagnan@cabinet-durand.example
2900417,mayotte,jb.lebihan@mail.example
";

const CAMPAIGNS: &str = "\
region_code,year,is_open
paris-ile-de-france,2025,false
mayotte,2025,true
";

/// The six files of a complete extract.
fn full_extract() -> Vec<(&'static str, String)> {
    [
        ("regions.csv", REGIONS),
        ("members.csv", MEMBERS),
        ("firms.csv", FIRMS),
        ("bureaux.csv", BUREAUX),
        ("personal_files.csv", PERSONAL_FILES),
        ("campaigns.csv", CAMPAIGNS),
    ]
    .into_iter()
    .map(|(name, content)| (name, content.to_owned()))
    .collect()
}

/// Writes `files` into a fresh folder.
fn extract_folder(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("write the extract");
    }
    dir
}

/// Runs the import against the test application's database.
fn import(app: &TestApp, dir: &Path) -> Result<ImportSummary, ImportError> {
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    import_register(&mut conn, dir)
}

/// `(inserted, updated, unchanged)` of one file.
fn counts(summary: &ImportSummary, file: &str) -> (usize, usize, usize) {
    let s = summary
        .file(file)
        .unwrap_or_else(|| panic!("{file} in the summary"));
    (s.inserted, s.updated, s.unchanged)
}

/// Rows per register table, in loading order.
fn table_counts(app: &TestApp) -> [i64; 5] {
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let conn = &mut *conn;
    [
        schema::members::table.count().get_result(conn),
        schema::firms::table.count().get_result(conn),
        schema::bureaux::table.count().get_result(conn),
        schema::personal_files::table.count().get_result(conn),
        schema::campaigns::table.count().get_result(conn),
    ]
    .map(|count| count.expect("count"))
}

fn member(app: &TestApp, supra_number: &str) -> Member {
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    Member::find_by_supra_number(&mut conn, supra_number)
        .expect("query")
        .expect("member in the register")
}

async fn region_codes(app: &TestApp) -> Vec<String> {
    let response = app.regions().await;
    assert_eq!(response.status.as_u16(), 200);
    response.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_owned())
        .collect()
}

#[actix_web::test]
async fn an_import_loads_every_file_in_dependency_order() {
    // Arrange
    let app = spawn_app().await;
    let dir = extract_folder(&full_extract());

    // Act
    let summary = import(&app, dir.path()).expect("the import succeeds");

    // Assert
    assert_eq!(counts(&summary, "regions.csv"), (1, 0, 0));
    assert_eq!(counts(&summary, "members.csv"), (3, 0, 0));
    assert_eq!(counts(&summary, "firms.csv"), (2, 0, 0));
    assert_eq!(counts(&summary, "bureaux.csv"), (3, 0, 0));
    assert_eq!(counts(&summary, "personal_files.csv"), (3, 0, 0));
    assert_eq!(counts(&summary, "campaigns.csv"), (2, 0, 0));
    assert_eq!(table_counts(&app), [3, 2, 3, 3, 2]);
    assert!(region_codes(&app).await.contains(&"mayotte".to_owned()));
    let helene = member(&app, "0750342");
    assert_eq!(helene.civility, "MME");
    assert_eq!(helene.email, "helene.dartagnan@cabinet-durand.example");
    assert_eq!(helene.search_key, "dartagnanlefevrehelene");
}

#[actix_web::test]
async fn importing_the_same_extract_twice_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let dir = extract_folder(&full_extract());
    import(&app, dir.path()).expect("first import");
    let before = member(&app, "0750118");

    // Act
    let summary = import(&app, dir.path()).expect("second import");

    // Assert
    for (file, rows) in [
        ("regions.csv", 1),
        ("members.csv", 3),
        ("firms.csv", 2),
        ("bureaux.csv", 3),
        ("personal_files.csv", 3),
        ("campaigns.csv", 2),
    ] {
        assert_eq!(counts(&summary, file), (0, 0, rows), "{file}");
    }
    assert_eq!(table_counts(&app), [3, 2, 3, 3, 2]);
    assert_eq!(member(&app, "0750118"), before);
}

#[actix_web::test]
async fn a_changed_row_is_updated_in_place_and_keeps_its_id() {
    // Arrange
    let app = spawn_app().await;
    import(&app, extract_folder(&full_extract()).path()).expect("first import");
    let before = member(&app, "0750118");
    let renamed = MEMBERS.replace(
        "0750118,MME,Durand,Marie,1978-04-12,2006,expert_comptable_independant,paris-ile-de-france,marie.durand@cabinet-durand.example",
        "0750118,MME,Durand-Moreau,Marie,1978-04-12,2006,expert_comptable_independant,rhone-alpes,marie.durand-moreau@cabinet-durand.example",
    );
    let members_only = extract_folder(&[("members.csv", renamed)]);

    // Act
    let summary = import(&app, members_only.path()).expect("second import");

    // Assert
    assert_eq!(summary.files.len(), 1);
    assert_eq!(counts(&summary, "members.csv"), (0, 1, 2));
    let after = member(&app, "0750118");
    assert_eq!(after.id, before.id);
    assert_eq!(after.created_at, before.created_at);
    assert_eq!(after.last_name, "Durand-Moreau");
    assert_eq!(after.region_code, "rhone-alpes");
    assert_eq!(after.search_key, "durandmoreaumarie");
    assert_eq!(after.email, "marie.durand-moreau@cabinet-durand.example");
    assert_eq!(table_counts(&app), [3, 2, 3, 3, 2]);
}

#[actix_web::test]
async fn a_malformed_row_names_its_file_and_line_and_nothing_is_written() {
    // Arrange
    let app = spawn_app().await;
    let mut files = full_extract();
    files[1].1 = MEMBERS.replace(
        "Helene.Dartagnan@cabinet-durand.example",
        "helene.dartagnan.cabinet",
    );
    let dir = extract_folder(&files);

    // Act
    let error = import(&app, dir.path()).expect_err("the import is refused");

    // Assert
    let ImportError::Row { file, line, reason } = &error else {
        panic!("expected a row error, got {error}");
    };
    assert_eq!((*file, *line), ("members.csv", 3));
    assert!(reason.starts_with("email:"), "{reason}");
    assert!(
        error.to_string().starts_with("members.csv, line 3: email:"),
        "{error}"
    );
    assert_eq!(table_counts(&app), [0; 5]);
    assert!(!region_codes(&app).await.contains(&"mayotte".to_owned()));
}

#[actix_web::test]
async fn a_broken_reference_in_a_later_file_rolls_back_the_files_before_it() {
    // Arrange: every row is well-formed, but a personal file names a member nobody loaded,
    // which only the transaction can see after regions, members, firms and bureaux are written.
    let app = spawn_app().await;
    let mut files = full_extract();
    files[4].1 = format!("{PERSONAL_FILES}9999999,mayotte,inconnu@mail.example\n");
    let dir = extract_folder(&files);

    // Act
    let error = import(&app, dir.path()).expect_err("the import is refused");

    // Assert
    assert!(
        error
            .to_string()
            .starts_with("personal_files.csv, line 5: supra_number:"),
        "{error}"
    );
    assert_eq!(table_counts(&app), [0; 5]);
    assert!(!region_codes(&app).await.contains(&"mayotte".to_owned()));
}

#[actix_web::test]
async fn references_to_unknown_codes_are_refused() {
    let app = spawn_app().await;
    let cases = [
        (
            "members.csv",
            MEMBERS.replace("expert_comptable_honoraire", "autre_profil"),
            "members.csv, line 4: quality_code:",
        ),
        (
            "members.csv",
            MEMBERS.replace(",mayotte,", ",atlantide,"),
            "members.csv, line 4: region_code: unknown region \"atlantide\"",
        ),
        (
            "bureaux.csv",
            BUREAUX.replace("B0000003,F000002", "B0000003,F999999"),
            "bureaux.csv, line 4: firm_ref:",
        ),
        (
            "members.csv",
            MEMBERS.replace("supra_number,", "numero_supra,"),
            "members.csv, line 1: missing column(s): supra_number",
        ),
        (
            "members.csv",
            format!("{MEMBERS}0750118,M,Martin,Paul,1970-05-05,2000,stagiaire,corse,p.martin@mail.example\n"),
            "members.csv, line 5: duplicate key 0750118, already on line 2",
        ),
    ];
    for (file, content, expected) in cases {
        let mut files = full_extract();
        files.retain(|(name, _)| *name != file);
        files.push((file, content));
        let error = import(&app, extract_folder(&files).path()).expect_err(expected);
        assert!(error.to_string().starts_with(expected), "{error}");
    }
    assert_eq!(table_counts(&app), [0; 5]);
}

#[actix_web::test]
async fn a_folder_without_any_extract_is_refused() {
    let app = spawn_app().await;
    let error = import(&app, extract_folder(&[]).path()).expect_err("nothing to import");
    assert!(matches!(error, ImportError::Folder(_)), "{error}");
}

#[actix_web::test]
async fn the_import_carries_responsables_and_grants_that_the_portal_honours() {
    let app = spawn_app().await;
    let rac = app.add_active_account("rac.import", "Rac-2026!", "rac@import.example");
    let mut files = full_extract();
    files.push((
        "firm_responsables.csv",
        "firm_ref,supra_number\nF000001,0750118\n".to_owned(),
    ));
    files.push((
        "bureau_managers.csv",
        "bureau_ref,identifier\nB0000003,RAC.Import\n".to_owned(),
    ));
    let folder = extract_folder(&files);
    import(&app, folder.path()).expect("the import succeeds");
    // Twice: nothing new the second time.
    let again = import(&app, folder.path()).expect("the import is idempotent");
    let grants = again.file("bureau_managers.csv").expect("grants summary");
    assert_eq!((grants.inserted, grants.unchanged), (0, 1));

    let (token, _) = app.signed_in(&rac).await;
    let regions = app
        .send(
            app.authed(awc::http::Method::GET, "/v1/portal/regions", &token),
            None,
        )
        .await
        .json();
    let mayotte = regions["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["code"] == "mayotte")
        .cloned()
        .expect("mayotte");
    assert_eq!(mayotte["bureaux_count"], 1);

    let mut bad = full_extract();
    bad.push((
        "bureau_managers.csv",
        "bureau_ref,identifier\nB0000003,rac.import\nB0000001,nobody.here\n".to_owned(),
    ));
    let error =
        import(&app, extract_folder(&bad).path()).expect_err("an unknown account is refused");
    assert_eq!(
        error.to_string(),
        "bureau_managers.csv, line 3: identifier: no account has nobody.here"
    );
}

#[actix_web::test]
async fn the_import_loads_the_bareme_in_the_same_transaction() {
    let app = spawn_app().await;
    let scales = "region_code,campaign_year,pp_independant_cents,pp_salarie_cents,pp_83ter_percent,pp_83quater_percent,new_member_year1_reduction_percent,new_member_year2_reduction_percent,bureau_fixed_cents,pm_fixed_cents,pm_per_head_cents\nmayotte,2025,42000,36000,70,50,50,25,25000,18000,1100\n";
    let mut files = full_extract();
    files.push(("scales.csv", scales.to_owned()));
    import(&app, extract_folder(&files).path()).expect("the import succeeds");
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let loaded: i64 = schema::contribution_scales::table
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(loaded, 1);

    let mut bad = full_extract();
    bad.push(("scales.csv", scales.replace("mayotte", "atlantide")));
    let fresh = spawn_app().await;
    let error =
        import(&fresh, extract_folder(&bad).path()).expect_err("an unknown region is refused");
    assert!(
        error.to_string().starts_with("scales.csv, line 2"),
        "{error}"
    );
    let pool = db::build_pool(&fresh.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let members: i64 = schema::members::table
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(members, 0, "nothing of the extract is written");
}

#[actix_web::test]
async fn an_import_of_the_bareme_alone_prints_its_summary_like_the_other_files() {
    let app = spawn_app().await;
    let header = "region_code,campaign_year,pp_independant_cents,pp_salarie_cents,pp_83ter_percent,pp_83quater_percent,new_member_year1_reduction_percent,new_member_year2_reduction_percent,bureau_fixed_cents,pm_fixed_cents,pm_per_head_cents";
    let scales = |bretagne_fixed: u32| {
        format!(
            "{header}\nbretagne,2026,42000,36000,70,50,50,25,{bretagne_fixed},18000,1100\ncorse,2026,42000,36000,70,50,50,25,25000,18000,1100\n"
        )
    };

    let first = import(
        &app,
        extract_folder(&[("scales.csv", scales(25_000))]).path(),
    )
    .expect("the barème loads");
    assert_eq!(counts(&first, "scales.csv"), (2, 0, 0));
    assert!(first.to_string().contains("scales.csv"), "{first}");

    let again = import(
        &app,
        extract_folder(&[("scales.csv", scales(25_000))]).path(),
    )
    .expect("the barème loads again");
    assert_eq!(counts(&again, "scales.csv"), (0, 0, 2));

    let changed = import(
        &app,
        extract_folder(&[("scales.csv", scales(26_000))]).path(),
    )
    .expect("a changed barème loads");
    assert_eq!(counts(&changed, "scales.csv"), (0, 1, 1));
}
