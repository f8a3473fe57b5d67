use awc::http::Method;
use serde_json::json;

use crate::{
    fixtures::{token_from_link, MemberSpec},
    helpers::spawn_app,
    mailbox::{wait_for_email, wait_for_emails},
};

#[actix_web::test]
async fn recovery_answers_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let known = app.recover("Jeanne@Cabinet.fr").await;
    let unknown = app.recover("personne@nulle-part.fr").await;
    assert_eq!(known.status.as_u16(), 202);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);

    let email = wait_for_email(&app, "jeanne@cabinet.fr").await;
    assert!(email.text.contains("j.martin"));
    assert_eq!(app.outbox_rows_to("jeanne@cabinet.fr").len(), 1);
    assert!(
        app.outbox_rows_to("personne@nulle-part.fr").is_empty(),
        "nothing is queued for an unknown address"
    );
}

#[actix_web::test]
async fn recovery_lists_every_account_of_a_shared_address_with_its_own_link() {
    let app = spawn_app().await;
    app.add_active_account("j.martin", "Rac-2026!", "accueil@cabinet.fr");
    app.add_active_account("p.dupont", "Other-2026!", "accueil@cabinet.fr");
    app.recover("accueil@cabinet.fr").await;
    let email = wait_for_email(&app, "accueil@cabinet.fr").await;
    assert!(email.text.contains("j.martin") && email.text.contains("p.dupont"));
    let tokens: Vec<_> = email
        .links
        .iter()
        .filter(|l| l.contains("token="))
        .map(|l| token_from_link(l))
        .collect();
    assert_eq!(tokens.len(), 2);
    let mut identifiers: Vec<_> = Vec::new();
    for token in &tokens {
        identifiers.push(
            app.inspect_password_token(token).await.json()["identifier"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    identifiers.sort();
    assert_eq!(identifiers, ["j.martin", "p.dupont"]);
}

#[actix_web::test]
async fn a_reset_spends_the_link_once_revokes_every_session_and_notifies_the_owner() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, refresh) = app.signed_in(&account).await;
    app.recover(&account.email).await;
    let email = wait_for_email(&app, &account.email).await;
    let token = token_from_link(
        email
            .links
            .iter()
            .find(|l| l.contains("token="))
            .expect("link"),
    );
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
    app.set_password(&token, "Encore-2026!")
        .await
        .assert_problem(410, "link_invalid");
    app.me(&access).await.assert_problem(401, "token_revoked");
    app.refresh(&refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
    app.sign_in(&account.identifier, &account.password, false)
        .await
        .assert_problem(401, "invalid_credentials");
    assert_eq!(
        app.sign_in(&account.identifier, "Nouveau-2026!", false)
            .await
            .status
            .as_u16(),
        201
    );
    let emails = wait_for_emails(&app, &account.email, 2).await;
    assert!(emails
        .iter()
        .any(|e| e.subject.to_lowercase().contains("mot de passe")
            && !e.links.iter().any(|l| l.contains("token="))));
}

#[actix_web::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_the_other_sessions() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (here, _) = app.signed_in(&account).await;
    let (elsewhere, elsewhere_refresh) = app.signed_in(&account).await;
    let change = |current: &str, new: &str| {
        app.send(
            app.authed(Method::PUT, "/v1/me/password", &here),
            Some(json!({"current_password": current, "new_password": new, "new_password_confirmation": new})),
        )
    };
    change("Wrong-2026!", "Nouveau-2026!")
        .await
        .assert_problem(403, "current_password_incorrect");
    change(&account.password, "weak")
        .await
        .assert_problem(422, "password_policy");
    assert_eq!(
        change(&account.password, "Nouveau-2026!")
            .await
            .status
            .as_u16(),
        204
    );

    assert_eq!(
        app.me(&here).await.status.as_u16(),
        200,
        "this session stays open"
    );
    app.me(&elsewhere)
        .await
        .assert_problem(401, "token_revoked");
    app.refresh(&elsewhere_refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
    assert_eq!(
        app.sign_in(&account.identifier, "Nouveau-2026!", false)
            .await
            .status
            .as_u16(),
        201
    );
    wait_for_email(&app, &account.email).await;
}

#[actix_web::test]
async fn an_email_change_applies_only_through_the_link_sent_to_the_new_address() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    let request = |password: &str| {
        app.send(
            app.authed(Method::POST, "/v1/me/email-change", &access),
            Some(json!({"new_email": "Jeanne@Nouveau.fr", "current_password": password})),
        )
    };
    request("Wrong-2026!")
        .await
        .assert_problem(403, "current_password_incorrect");
    let accepted = request(&account.password).await;
    assert_eq!(accepted.status.as_u16(), 202);
    assert_eq!(accepted.json()["new_email_masked"], "j…@nouveau.fr");
    assert_eq!(
        app.me(&access).await.json()["email"],
        "jeanne@cabinet.fr",
        "unchanged until verified"
    );

    let notice = wait_for_email(&app, "jeanne@cabinet.fr").await;
    assert!(notice.text.contains("j…@nouveau.fr"));
    let verification = wait_for_email(&app, "jeanne@nouveau.fr").await;
    let token = token_from_link(
        verification
            .links
            .iter()
            .find(|l| l.contains("token="))
            .expect("link"),
    );
    let confirmed = app
        .post_json(&format!("/v1/email-verifications/{token}"), json!({}))
        .await;
    assert_eq!(confirmed.status.as_u16(), 200);
    assert_eq!(app.me(&access).await.json()["email"], "jeanne@nouveau.fr");
    app.post_json(&format!("/v1/email-verifications/{token}"), json!({}))
        .await
        .assert_problem(410, "link_invalid");
}

#[actix_web::test]
async fn the_profile_is_editable_but_the_identifier_never_changes() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    let patch = |body: serde_json::Value| {
        app.send(app.authed(Method::PATCH, "/v1/me", &access), Some(body))
    };

    // Read first: the profile kept for repeated reads must not hide the change.
    assert_eq!(app.me(&access).await.json()["city"], "Paris");
    let updated =
        patch(json!({"city": "Lyon", "postal_code": "69002", "phone": "+33 6 12 34 56 78"})).await;
    assert_eq!(updated.status.as_u16(), 200);
    assert_eq!(updated.json()["city"], "Lyon");
    assert_eq!(updated.json()["phone"], "+33612345678");
    assert_eq!(app.me(&access).await.json()["postal_code"], "69002");

    let problem = patch(json!({"postal_code": "690", "phone": "12"}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(2));
    patch(json!({"identifier": "someone"}))
        .await
        .assert_problem(422, "invalid_body");
    assert_eq!(app.me(&access).await.json()["identifier"], "j.martin");
}

#[actix_web::test]
async fn a_members_names_come_from_the_register() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    app.create_member_account("expert_comptable_independant", &member_ref)
        .await;
    let token = token_from_link(
        &wait_for_email(&app, "marie.durand@cabinet-durand.fr")
            .await
            .links[0],
    );
    app.set_password(&token, "Cabinet-2026!").await;
    let access = app.sign_in("mdurand", "Cabinet-2026!", false).await.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let problem = app
        .send(
            app.authed(Method::PATCH, "/v1/me", &access),
            Some(json!({"last_name": "Autre"})),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "managed_by_register");
}

#[actix_web::test]
async fn the_security_history_records_sign_ins_and_failures_and_pages() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    app.sign_in(&account.identifier, "Wrong-2026!", false).await;
    for _ in 0..3 {
        app.signed_in(&account).await;
    }
    let (access, _) = app.signed_in(&account).await;
    let first = app
        .send(
            app.authed(Method::GET, "/v1/me/security-events?limit=3", &access),
            None,
        )
        .await
        .json();
    let items = first["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["kind"], "sign_in");
    assert_eq!(items[0]["method"], "pwd");
    assert_eq!(items[0]["client_address"], "127.0.0.1");
    // The event names the session that sign-in opened.
    assert_eq!(
        items[0]["session_id"],
        crate::session_checks::claims_of(&access)["sid"]
    );
    assert_ne!(items[0]["session_id"], items[1]["session_id"]);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = app
        .send(
            app.authed(
                Method::GET,
                &format!("/v1/me/security-events?limit=3&cursor={cursor}"),
                &access,
            ),
            None,
        )
        .await
        .json();
    let rest = second["items"].as_array().cloned().expect("items");
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1]["kind"], "sign_in_failed");
    assert!(second["next_cursor"].is_null());
    let text = serde_json::to_string(&second).unwrap_or_default();
    assert!(
        !text.contains("Rac-2026") && !text.contains("Wrong-2026"),
        "no secret in the history"
    );
}

#[actix_web::test]
async fn a_security_event_of_an_unknown_kind_is_not_handed_out_as_is() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    // A kind this release does not know (a later release's, or written by hand).
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    diesel::sql_query(format!(
        "UPDATE security_events SET kind = 'sign_in_via_magic' WHERE account_id = '{}'",
        account.id
    ))
    .execute(&mut pool.get().expect("connection"))
    .expect("a stray kind");

    // The document promises one of the listed kinds: the server refuses rather than pass it on.
    app.send(
        app.authed(Method::GET, "/v1/me/security-events", &access),
        None,
    )
    .await
    .assert_problem(500, "internal_error");
}
