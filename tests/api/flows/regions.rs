//! `flows::regions`: "Choix région", the regional email conflict and the choice that ends it.

use comptexpert::{
    auth::extractor::Authenticated,
    error::ErrorCode,
    flows::{
        me::profile::profile,
        regions::{choose_email, email_conflict, list_regions, EmailSource},
    },
};

use crate::{
    fixtures::{MemberSpec, TestAccount},
    portal_fixtures::{WorldBuilder, BRETAGNE, PARIS},
};

fn caller(account: &TestAccount) -> Authenticated {
    Authenticated {
        account_id: account.id.clone(),
        session_id: "unused".into(),
        amr: "pwd".into(),
    }
}

/// Marie, a member whose Paris file still has her former address, and whose firm has two
/// Paris bureaux she manages as its responsable.
async fn marie_with_an_old_paris_address() -> (crate::helpers::TestApp, TestAccount) {
    let mut w = WorldBuilder::new().await;
    let member = w.member(MemberSpec::default());
    let marie = w.app.add_member_account(
        &member,
        "mdurand",
        "Cabinet-2026!",
        "marie@cabinet.fr",
        true,
    );
    w.campaign(PARIS, 2026, true);
    w.firm("F-001", "Cabinet Durand");
    w.bureau("B-001", "F-001", PARIS, true);
    w.bureau("B-002", "F-001", PARIS, false);
    w.grant(&["B-001", "B-002"], &marie);
    w.portal()
        .personal_file(&member, PARIS, "Marie.Durand@Ancien-Cabinet.fr");
    (w.build(), marie)
}

#[actix_web::test]
async fn the_region_choice_counts_the_callers_bureaux_and_personal_files() {
    let (app, marie) = marie_with_an_old_paris_address().await;

    let regions = list_regions(&app.context, &caller(&marie))
        .await
        .expect("the regions");

    let paris = regions
        .iter()
        .find(|r| r.region.code == PARIS)
        .expect("Paris listed");
    assert_eq!(paris.bureaux_count, 2);
    assert!(paris.has_personal_file);
    assert_eq!(
        paris.campaign.as_ref().map(|c| (c.year, c.is_open)),
        Some((2026, true))
    );
    let bretagne = regions
        .iter()
        .find(|r| r.region.code == BRETAGNE)
        .expect("Bretagne listed");
    assert_eq!(bretagne.bureaux_count, 0);
    assert!(!bretagne.has_personal_file && bretagne.campaign.is_none());
}

#[actix_web::test]
async fn keeping_the_files_address_moves_the_account_to_it_and_ends_the_conflict() {
    let (app, marie) = marie_with_an_old_paris_address().await;
    let auth = caller(&marie);
    let conflict = email_conflict(&app.context, &auth, PARIS.into())
        .await
        .expect("a conflict");
    assert_eq!(conflict.account_email, "marie@cabinet.fr");
    assert_eq!(conflict.file_email, "marie.durand@ancien-cabinet.fr");

    let chosen = choose_email(&app.context, &auth, PARIS.into(), EmailSource::File)
        .await
        .expect("chosen");

    assert_eq!(chosen, "marie.durand@ancien-cabinet.fr");
    let account = profile(&app.context, &auth).await.expect("the account");
    assert_eq!(account.email, chosen);
    // The old address is told its account moved.
    assert_eq!(app.outbox_rows_to("marie@cabinet.fr").len(), 1);
    let ended = email_conflict(&app.context, &auth, PARIS.into())
        .await
        .expect_err("no conflict any more");
    assert_eq!(ended.code(), ErrorCode::NoEmailConflict);
}

#[actix_web::test]
async fn keeping_the_accounts_address_leaves_the_account_alone() {
    let (app, marie) = marie_with_an_old_paris_address().await;
    let auth = caller(&marie);

    let chosen = choose_email(&app.context, &auth, PARIS.into(), EmailSource::Account)
        .await
        .expect("chosen");

    assert_eq!(chosen, "marie@cabinet.fr");
    assert!(app.outbox_rows_to("marie@cabinet.fr").is_empty());
    let again = choose_email(&app.context, &auth, PARIS.into(), EmailSource::File)
        .await
        .expect_err("nothing left to choose");
    assert_eq!(again.code(), ErrorCode::NoEmailConflict);
}

#[actix_web::test]
async fn an_unknown_region_or_one_without_a_file_has_no_conflict_to_resolve() {
    let (app, marie) = marie_with_an_old_paris_address().await;
    let auth = caller(&marie);
    let unknown = email_conflict(&app.context, &auth, "atlantide".into())
        .await
        .expect_err("refused");
    assert_eq!(unknown.code(), ErrorCode::RegionNotFound);
    let none = choose_email(&app.context, &auth, BRETAGNE.into(), EmailSource::File)
        .await
        .expect_err("refused");
    assert_eq!(none.code(), ErrorCode::NoEmailConflict);
}
