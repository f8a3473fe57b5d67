//! `flows::accounts`: registering a member of the register or a RAC ("Autre profil"), and
//! confirming a new email address.

use comptexpert::{
    auth::extractor::Authenticated,
    error::ErrorCode,
    flows::{
        accounts::{
            confirm_email_change::confirm_email_change,
            register_member::{register_member, MemberRequest},
            register_rac::{register_rac, RacForm},
        },
        me::{profile::profile, request_email_change::request_email_change},
        Client,
    },
    registration::{ExternalRegistration, MemberRegistration},
};

use crate::{
    fixtures::{token_from_link, MemberSpec},
    helpers::spawn_app,
    mailbox::wait_for_email,
};

fn client() -> Client {
    Client::new("192.0.2.20", None)
}

#[actix_web::test]
async fn a_member_is_registered_once_then_reminded_at_the_registers_address() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let request = || MemberRequest {
        quality: "expert_comptable_independant".into(),
        member_ref: member_ref.clone(),
    };

    let first = register_member(&app.context, request(), client())
        .await
        .expect("registered");
    assert_eq!(first.registration, MemberRegistration::Created);
    assert_eq!(first.email, "marie.durand@cabinet-durand.fr");

    let again = register_member(&app.context, request(), client())
        .await
        .expect("answered");
    assert_eq!(again.registration, MemberRegistration::AlreadyExists);
}

#[actix_web::test]
async fn an_unknown_register_entry_is_refused() {
    let app = spawn_app().await;
    let refused = register_member(
        &app.context,
        MemberRequest {
            quality: "expert_comptable_independant".into(),
            member_ref: "00000000-0000-0000-0000-000000000000".into(),
        },
        client(),
    )
    .await
    .expect_err("refused");
    assert!(refused.status().is_client_error(), "{:?}", refused.code());
}

fn rac_form(identifier: &str, email: &str) -> RacForm {
    RacForm {
        identifier: identifier.into(),
        email: email.into(),
        civility: "MME".into(),
        last_name: "Martin".into(),
        first_name: "Jeanne".into(),
        phone: None,
        address: "3 rue des Lilas".into(),
        city: "Lyon".into(),
        postal_code: "69003".into(),
        birth_year: 1985,
        accepts_communications: false,
    }
}

#[actix_web::test]
async fn a_rac_is_registered_pending_and_a_second_form_for_the_address_only_notifies_it() {
    let app = spawn_app().await;
    let profile = rac_form("j.martin", "Jeanne@Cabinet.fr")
        .validate()
        .expect("a valid form");

    let first = register_rac(&app.context, profile, client())
        .await
        .expect("registered");
    assert_eq!(first.registration, ExternalRegistration::Created);
    assert_eq!(first.email, "jeanne@cabinet.fr");
    assert_eq!(app.account_count(), 1);

    let again = || {
        rac_form("j.martin2", "jeanne@cabinet.fr")
            .validate()
            .expect("a valid form")
    };
    // At once: the activation email is on its way, nothing more is sent.
    let second = register_rac(&app.context, again(), client())
        .await
        .expect("answered");
    assert_eq!(second.registration, ExternalRegistration::EmailAlreadyUsed);
    assert_eq!(app.outbox_rows_to("jeanne@cabinet.fr").len(), 1);
    // Past the window, the address is told it has an account.
    app.age_outbox(comptexpert::registration::ACCOUNT_EMAIL_WINDOW_MINUTES + 1);
    let third = register_rac(&app.context, again(), client())
        .await
        .expect("answered");
    assert_eq!(third.registration, ExternalRegistration::EmailAlreadyUsed);
    assert_eq!(app.account_count(), 1, "a second account for one address");
    let kinds: Vec<String> = app
        .outbox_rows_to("jeanne@cabinet.fr")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec!["rac_account_created", "email_already_used"]);
}

#[actix_web::test]
async fn a_taken_identifier_or_a_malformed_form_registers_nothing() {
    let app = spawn_app().await;
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");

    let taken = rac_form("j.martin", "autre@cabinet.fr")
        .validate()
        .expect("a valid form");
    let refused = register_rac(&app.context, taken, client())
        .await
        .expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::IdentifierTaken);

    let mut malformed = rac_form("j", "pas-une-adresse");
    malformed.postal_code = "6900".into();
    let refused = malformed.validate().expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::ValidationFailed);
    let fields: Vec<&str> = refused
        .field_issues()
        .iter()
        .map(|i| i.field.as_str())
        .collect();
    for field in ["identifier", "email", "postal_code"] {
        assert!(fields.contains(&field), "{field} not reported: {fields:?}");
    }
    assert_eq!(app.account_count(), 1);
}

#[actix_web::test]
async fn the_link_sent_to_the_new_address_moves_the_account_there_once() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let caller = Authenticated {
        account_id: account.id.clone(),
        session_id: "unused".into(),
        amr: "pwd".into(),
    };
    request_email_change(
        &app.context,
        &caller,
        "jeanne@nouveau.fr",
        "Rac-2026!".into(),
    )
    .await
    .expect("sent");
    let token = token_from_link(wait_for_email(&app, "jeanne@nouveau.fr").await.link());

    let now_used = confirm_email_change(&app.context, token.clone())
        .await
        .expect("confirmed");
    assert_eq!(now_used, "jeanne@nouveau.fr");
    let stored = profile(&app.context, &caller).await.expect("the account");
    assert_eq!(stored.email, "jeanne@nouveau.fr");

    let spent = confirm_email_change(&app.context, token)
        .await
        .expect_err("used once");
    assert_eq!(spent.code(), ErrorCode::LinkInvalid);
    let junk = confirm_email_change(&app.context, "junk".into())
        .await
        .expect_err("malformed");
    assert_eq!(junk.code(), ErrorCode::LinkInvalid);
}
