//! `flows::me`.

use comptexpert::{
    auth::extractor::Authenticated,
    domain::{password::NewPassword, states::SecurityEventKind},
    error::ErrorCode,
    flows::{
        me::{
            change_password::change_password,
            profile::profile,
            request_email_change::request_email_change,
            security_history::{security_history, PageRequest},
            sessions::{list_sessions, revoke_session},
            update_profile::{update_profile, ProfileChanges},
        },
        sessions::sign_in::{sign_in, Credentials, SignIn},
        Client,
    },
};

use crate::{
    fixtures::{MemberSpec, TestAccount},
    helpers::spawn_app,
};

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

/// Signs `account` in through the password flow and returns the caller its session makes.
async fn session_of(app: &crate::helpers::TestApp, account: &TestAccount) -> Authenticated {
    let outcome = sign_in(
        &app.context,
        Credentials {
            identifier: account.identifier.clone(),
            password: account.password.clone(),
            keep_session_active: false,
        },
        Client::new("192.0.2.30", Some("flow-test")),
    )
    .await
    .expect("no error");
    let SignIn::SignedIn(signed_in) = outcome else {
        panic!("{} could not sign in: {outcome:?}", account.identifier);
    };
    Authenticated {
        account_id: signed_in.account.id,
        session_id: signed_in.session.id,
        amr: "pwd".into(),
    }
}

fn new_password(password: &str, confirmation: &str) -> NewPassword {
    NewPassword {
        password: password.into(),
        confirmation: confirmation.into(),
    }
}

#[actix_web::test]
async fn changing_the_password_keeps_this_session_closes_the_others_and_tells_the_owner() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let here = session_of(&app, &account).await;
    let elsewhere = session_of(&app, &account).await;

    change_password(
        &app.context,
        &here,
        Client::new("192.0.2.31", None),
        "Rac-2026!".into(),
        new_password("Nouveau-2027!", "Nouveau-2027!"),
    )
    .await
    .expect("changed");

    let open: Vec<String> = list_sessions(&app.context, &here)
        .await
        .expect("the sessions")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(open, vec![here.session_id.clone()]);
    assert!(!open.contains(&elsewhere.session_id));
    let old = app.sign_in("j.martin", "Rac-2026!", false).await;
    assert_eq!(old.status.as_u16(), 401, "the old password still signs in");
    let new = app.sign_in("j.martin", "Nouveau-2027!", false).await;
    assert_eq!(new.status.as_u16(), 201);
    assert_eq!(app.outbox_rows_to("jeanne@cabinet.fr").len(), 1);
}

#[actix_web::test]
async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let here = session_of(&app, &account).await;
    let change = |current: &str, new: NewPassword| {
        change_password(
            &app.context,
            &here,
            Client::new("192.0.2.31", None),
            current.into(),
            new,
        )
    };

    let wrong = change(
        "Wrong-2026!",
        new_password("Nouveau-2027!", "Nouveau-2027!"),
    )
    .await
    .expect_err("refused");
    assert_eq!(wrong.code(), ErrorCode::CurrentPasswordIncorrect);

    let weak = change("Rac-2026!", new_password("court", "autre"))
        .await
        .expect_err("refused");
    assert_eq!(weak.code(), ErrorCode::PasswordPolicy);
    let fields: Vec<&str> = weak
        .field_issues()
        .iter()
        .map(|i| i.field.as_str())
        .collect();
    assert!(fields.contains(&"new_password"), "{fields:?}");
    assert!(fields.contains(&"new_password_confirmation"), "{fields:?}");

    assert_eq!(
        app.sign_in("j.martin", "Rac-2026!", false)
            .await
            .status
            .as_u16(),
        201
    );
    assert!(app.outbox_rows_to("jeanne@cabinet.fr").is_empty());
}

#[actix_web::test]
async fn an_email_change_sends_the_link_to_the_new_address_and_a_notice_to_the_old_one() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let here = session_of(&app, &account).await;

    let masked = request_email_change(
        &app.context,
        &here,
        " Jeanne@Nouveau-Cabinet.fr ",
        "Rac-2026!".into(),
    )
    .await
    .expect("sent");

    assert!(
        masked.ends_with("@nouveau-cabinet.fr") && !masked.contains("jeanne"),
        "{masked}"
    );
    assert_eq!(app.outbox_rows_to("jeanne@nouveau-cabinet.fr").len(), 1);
    assert_eq!(app.outbox_rows_to("jeanne@cabinet.fr").len(), 1);
    // The account keeps its address until the link is opened.
    let still = profile(&app.context, &here).await.expect("the account");
    assert_eq!(still.email, "jeanne@cabinet.fr");
}

#[actix_web::test]
async fn an_email_change_to_the_same_or_a_malformed_address_is_refused() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let here = session_of(&app, &account).await;
    for address in ["jeanne@cabinet.fr", "pas-une-adresse"] {
        let refused = request_email_change(&app.context, &here, address, "Rac-2026!".into())
            .await
            .expect_err("refused");
        assert_eq!(refused.code(), ErrorCode::ValidationFailed, "{address}");
        assert_eq!(refused.field_issues()[0].field, "new_email", "{address}");
    }
    assert!(app.outbox_rows_to("jeanne@cabinet.fr").is_empty());
}

#[actix_web::test]
async fn a_rac_edits_names_and_contact_details_and_an_empty_phone_removes_it() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let here = session_of(&app, &account).await;
    update_profile(
        &app.context,
        &here,
        ProfileChanges {
            phone: Some("0612345678".into()),
            ..ProfileChanges::default()
        },
    )
    .await
    .expect("updated");

    let updated = update_profile(
        &app.context,
        &here,
        ProfileChanges {
            last_name: Some("Martin-Leroy".into()),
            city: Some("Lyon".into()),
            phone: Some(" ".into()),
            ..ProfileChanges::default()
        },
    )
    .await
    .expect("updated");

    assert_eq!(updated.last_name, "Martin-Leroy");
    assert_eq!(updated.city.as_deref(), Some("Lyon"));
    assert_eq!(updated.phone, None);
    let stored = profile(&app.context, &here).await.expect("the account");
    assert_eq!(
        (stored.last_name, stored.city, stored.phone),
        ("Martin-Leroy".to_owned(), Some("Lyon".to_owned()), None)
    );
}

#[actix_web::test]
async fn a_members_register_fields_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let account = app.add_member_account(
        &member_ref,
        "mdurand",
        "Cabinet-2026!",
        "marie@example.fr",
        true,
    );
    let here = session_of(&app, &account).await;

    let refused = update_profile(
        &app.context,
        &here,
        ProfileChanges {
            last_name: Some("Autre".into()),
            birth_year: Some(1980),
            city: Some("Lyon".into()),
            ..ProfileChanges::default()
        },
    )
    .await
    .expect_err("refused");

    assert_eq!(refused.code(), ErrorCode::ValidationFailed);
    let issues: Vec<(&str, &str)> = refused
        .field_issues()
        .iter()
        .map(|i| (i.field.as_str(), i.code))
        .collect();
    assert_eq!(
        issues,
        vec![
            ("last_name", "managed_by_register"),
            ("birth_year", "managed_by_register")
        ]
    );
    let stored = profile(&app.context, &here).await.expect("the account");
    assert_ne!(
        stored.city.as_deref(),
        Some("Lyon"),
        "a refused edit wrote a field"
    );
}

#[actix_web::test]
async fn one_closes_an_own_session_but_not_another_accounts() {
    let app = spawn_app().await;
    let jeanne = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let paul = app.add_active_account("p.leroy", "Rac-2026!", "paul@cabinet.fr");
    let here = session_of(&app, &jeanne).await;
    let other_device = session_of(&app, &jeanne).await;
    let pauls = session_of(&app, &paul).await;

    let listed = list_sessions(&app.context, &here)
        .await
        .expect("the sessions");
    assert_eq!(listed.len(), 2);

    let refused = revoke_session(&app.context, &here, pauls.session_id.clone())
        .await
        .expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::NotFound);
    assert_eq!(
        list_sessions(&app.context, &pauls)
            .await
            .expect("paul's")
            .len(),
        1
    );

    revoke_session(&app.context, &here, other_device.session_id.clone())
        .await
        .expect("closed");
    let left: Vec<String> = list_sessions(&app.context, &here)
        .await
        .expect("the sessions")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, vec![here.session_id.clone()]);
    let again = revoke_session(&app.context, &here, other_device.session_id)
        .await
        .expect_err("already closed");
    assert_eq!(again.code(), ErrorCode::NotFound);
}
