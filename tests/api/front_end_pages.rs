//! The README's "Pages the front end provides": every link an email carries leads to one of the
//! documented pages under `FRONTEND_URL`, and the token it carries works with the API call that
//! page is documented to make.

use serde_json::json;

use crate::{
    fixtures::{rac_form, token_from_link, MemberSpec},
    helpers::spawn_app,
    mailbox::{wait_for_email, wait_for_emails},
};

/// `FRONTEND_URL` of the test applications.
const FRONT_END: &str = "https://comptexpert.test";

/// The link of `email` that starts with the documented page, with its token.
fn page_token(links: &[String], page: &str) -> String {
    let link = links
        .iter()
        .find(|l| l.starts_with(&format!("{FRONT_END}{page}#token=")))
        .unwrap_or_else(|| panic!("no link to {page} in {links:?}"));
    token_from_link(link)
}

#[actix_web::test]
async fn activation_reset_and_reminder_links_lead_to_the_password_page() {
    let app = spawn_app().await;

    // Activation of a member's account: /mot-de-passe, GET then POST /v1/password-tokens/{token}.
    let member = app.add_member(MemberSpec::default());
    let created = app
        .create_member_account("expert_comptable_independant", &member)
        .await;
    assert_eq!(created.status.as_u16(), 202, "{}", created.json());
    let activation = wait_for_email(&app, "marie.durand@cabinet-durand.fr").await;
    let token = page_token(&activation.links, "/mot-de-passe");
    let inspected = app.inspect_password_token(&token).await;
    assert_eq!(inspected.status.as_u16(), 200);
    assert_eq!(inspected.json()["purpose"], "activation");
    assert_eq!(
        app.set_password(&token, "Compte-2026!")
            .await
            .status
            .as_u16(),
        204
    );

    // Registering again (past the window of one email): the reminder's reset link, same page.
    app.age_outbox(comptexpert::registration::ACCOUNT_EMAIL_WINDOW_MINUTES + 1);
    app.create_member_account("expert_comptable_independant", &member)
        .await;
    let emails = wait_for_emails(&app, "marie.durand@cabinet-durand.fr", 2).await;
    let token = page_token(&emails[1].links, "/mot-de-passe");
    assert_eq!(
        app.inspect_password_token(&token).await.json()["purpose"],
        "reset"
    );

    // Lost identifier or password: the reset link, same page.
    assert_eq!(
        app.recover("marie.durand@cabinet-durand.fr")
            .await
            .status
            .as_u16(),
        202
    );
    let emails = wait_for_emails(&app, "marie.durand@cabinet-durand.fr", 3).await;
    let token = page_token(&emails[2].links, "/mot-de-passe");
    assert_eq!(
        app.inspect_password_token(&token).await.json()["purpose"],
        "reset"
    );
    assert_eq!(
        app.set_password(&token, "Nouveau-2026!")
            .await
            .status
            .as_u16(),
        204
    );
}

#[actix_web::test]
async fn a_rac_activation_and_an_address_already_used_lead_to_their_pages() {
    let app = spawn_app().await;

    // The « Autre profil » form: the same password page activates the account.
    let created = app
        .create_external_account(rac_form("j.martin", "jeanne@cabinet.fr"))
        .await;
    assert_eq!(created.status.as_u16(), 202);
    let activation = wait_for_email(&app, "jeanne@cabinet.fr").await;
    let token = page_token(&activation.links, "/mot-de-passe");
    assert_eq!(
        app.inspect_password_token(&token).await.json()["purpose"],
        "activation"
    );

    // The same address again: the notice sends to /identifiant-oublie, whose form posts
    // POST /v1/recovery.
    app.age_outbox(comptexpert::registration::ACCOUNT_EMAIL_WINDOW_MINUTES + 1);
    app.create_external_account(rac_form("jeanne.m", "jeanne@cabinet.fr"))
        .await;
    let emails = wait_for_emails(&app, "jeanne@cabinet.fr", 2).await;
    assert!(
        emails[1]
            .links
            .contains(&format!("{FRONT_END}/identifiant-oublie")),
        "{:?}",
        emails[1].links
    );
    assert_eq!(app.recover("jeanne@cabinet.fr").await.status.as_u16(), 202);
}

#[actix_web::test]
async fn an_email_change_leads_to_the_verification_page() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    let requested = app
        .send(
            app.authed(awc::http::Method::POST, "/v1/me/email-change", &access),
            Some(json!({"new_email": "jeanne@nouveau.fr", "current_password": account.password})),
        )
        .await;
    assert_eq!(requested.status.as_u16(), 202);
    let verification = wait_for_email(&app, "jeanne@nouveau.fr").await;
    let token = page_token(&verification.links, "/verification-email");
    let confirmed = app
        .post_json(&format!("/v1/email-verifications/{token}"), json!({}))
        .await;
    assert_eq!(confirmed.status.as_u16(), 200);
}

#[actix_web::test]
async fn a_front_end_page_asked_of_the_api_says_which_setting_is_missing() {
    let app = spawn_app().await;
    for page in [
        "/mot-de-passe",
        "/verification-email",
        "/identifiant-oublie",
    ] {
        let response = app.get(page).await;
        let problem = response.assert_problem(404, "front_end_page");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("FRONTEND_URL"), "{page}: {detail}");
    }
}
