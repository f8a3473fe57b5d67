//! `flows::recovery`: asking for a link, reading it, and setting the password with it.

use comptexpert::{
    db::recovery_requests::RecoveryRequest,
    error::ErrorCode,
    flows::{
        recovery::{
            inspect_link::inspect_link,
            request_recovery::request_recovery,
            set_password::{set_password, NewPassword},
        },
        Client,
    },
};

use crate::{fixtures::token_from_link, helpers::spawn_app, mailbox::wait_for_email};

fn new_password(password: &str) -> NewPassword {
    NewPassword {
        password: password.into(),
        confirmation: password.into(),
    }
}

#[actix_web::test]
async fn a_malformed_or_unknown_link_is_link_invalid() {
    let app = spawn_app().await;
    for token in ["short", "A".repeat(43).as_str()] {
        let refused = inspect_link(&app.context, token.to_owned())
            .await
            .expect_err("refused");
        assert_eq!(refused.code().as_str(), "link_invalid", "{token}");
    }
}

#[actix_web::test]
async fn the_emailed_link_resets_the_password_once_and_signs_every_session_out() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (_, refresh) = app.signed_in(&account).await;

    request_recovery(
        &app.context,
        " Jeanne@Cabinet.fr ".into(),
        Client::new("192.0.2.40", None),
    )
    .await
    .expect("taken into account");
    let token = token_from_link(wait_for_email(&app, "jeanne@cabinet.fr").await.link());

    set_password(&app.context, token.clone(), new_password("Nouveau-2027!"))
        .await
        .expect("set");

    assert_eq!(
        app.sign_in("j.martin", "Nouveau-2027!", false)
            .await
            .status
            .as_u16(),
        201
    );
    assert_eq!(
        app.sign_in("j.martin", "Rac-2026!", false)
            .await
            .status
            .as_u16(),
        401
    );
    assert_eq!(
        app.refresh(&refresh).await.status.as_u16(),
        401,
        "a session survived the reset"
    );
    let spent = set_password(&app.context, token, new_password("Encore-2028!"))
        .await
        .expect_err("used once");
    assert_eq!(spent.code(), ErrorCode::LinkInvalid);
}

#[actix_web::test]
async fn a_password_against_the_policy_keeps_the_link_usable() {
    let app = spawn_app().await;
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    request_recovery(
        &app.context,
        "jeanne@cabinet.fr".into(),
        Client::new("192.0.2.41", None),
    )
    .await
    .expect("taken into account");
    let token = token_from_link(wait_for_email(&app, "jeanne@cabinet.fr").await.link());

    let weak = set_password(&app.context, token.clone(), new_password("j.martin1!"))
        .await
        .expect_err("refused");
    assert_eq!(weak.code(), ErrorCode::PasswordPolicy);
    assert!(!weak.field_issues().is_empty());

    set_password(&app.context, token, new_password("Nouveau-2027!"))
        .await
        .expect("the link still works");
}

#[actix_web::test]
async fn a_malformed_address_is_refused_before_anything_is_sent() {
    let app = spawn_app().await;
    let refused = request_recovery(
        &app.context,
        "pas-une-adresse".into(),
        Client::new("192.0.2.42", None),
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::ValidationFailed);
}

/// Writes a request as an instance would have just before a crash: acknowledged, not carried out.
fn left_behind(app: &crate::helpers::TestApp, email: &str) -> RecoveryRequest {
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    RecoveryRequest::insert(&mut conn, email, comptexpert::db::now()).expect("request")
}

fn still_pending(app: &crate::helpers::TestApp) -> Vec<RecoveryRequest> {
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    RecoveryRequest::pending(&mut conn, 10).expect("pending")
}

#[actix_web::test]
async fn a_request_acknowledged_before_a_crash_is_carried_out_once_by_the_sweeper() {
    let app = spawn_app().await;
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    left_behind(&app, "jeanne@cabinet.fr");
    left_behind(&app, "personne@inconnu.fr");

    let email = wait_for_email(&app, "jeanne@cabinet.fr").await;

    assert!(email.link().contains("token="), "{}", email.link());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !still_pending(&app).is_empty() {
        assert!(std::time::Instant::now() < deadline, "requests left");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(app.outbox_rows_to("jeanne@cabinet.fr").len(), 1, "once");
    assert!(app.outbox_rows_to("personne@inconnu.fr").is_empty());
}
