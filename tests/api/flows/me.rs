//! `flows::me`.

use comptexpert::{
    auth::extractor::Authenticated,
    domain::states::SecurityEventKind,
    error::ErrorCode,
    flows::me::{
        profile::profile,
        security_history::{security_history, PageRequest},
    },
};

use crate::helpers::spawn_app;

fn caller(account_id: &str) -> Authenticated {
    Authenticated {
        account_id: account_id.into(),
        session_id: "unused".into(),
        amr: "pwd".into(),
    }
}

#[actix_web::test]
async fn the_security_history_pages_newest_first_and_ends() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    app.sign_in(&account.identifier, "Wrong-2026!", false).await;
    for _ in 0..2 {
        app.signed_in(&account).await;
    }
    let auth = caller(&account.id);

    let first = security_history(
        &app.context,
        &auth,
        PageRequest {
            limit: Some(2),
            cursor: None,
        },
    )
    .await
    .expect("a page");
    assert_eq!(first.events.len(), 2);
    assert!(first
        .events
        .iter()
        .all(|e| e.kind == SecurityEventKind::SignIn && e.account_id == account.id));
    let cursor = first.next_cursor.expect("a next page");
    assert_eq!(Some(&cursor), first.events.last().map(|e| &e.id));

    let second = security_history(
        &app.context,
        &auth,
        PageRequest {
            limit: Some(2),
            cursor: Some(cursor),
        },
    )
    .await
    .expect("a page");
    assert_eq!(second.events.len(), 1);
    assert_eq!(second.events[0].kind, SecurityEventKind::SignInFailed);
    assert!(second.next_cursor.is_none());
}

#[actix_web::test]
async fn a_page_size_out_of_range_is_refused() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    for limit in [0, 101] {
        let error = security_history(
            &app.context,
            &caller(&account.id),
            PageRequest {
                limit: Some(limit),
                cursor: None,
            },
        )
        .await
        .expect_err("refused");
        assert_eq!(error.code(), ErrorCode::ValidationFailed);
    }
}

#[actix_web::test]
async fn the_profile_is_the_callers_own_account_while_it_exists() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");

    let found = profile(&app.context, &caller(&account.id))
        .await
        .expect("the account");
    assert_eq!(found.id, account.id);
    assert_eq!(found.email, "jeanne@cabinet.fr");

    let error = profile(&app.context, &caller("no-such-account"))
        .await
        .expect_err("gone");
    assert_eq!(error.code(), ErrorCode::NotFound);
}
