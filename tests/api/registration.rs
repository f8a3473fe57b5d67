use serde_json::json;

use crate::{
    fixtures::{rac_form, token_from_link, MemberSpec},
    helpers::{spawn_app, spawn_app_with},
    mailbox::{wait_for_email, wait_for_emails},
};

const QUALITY: &str = "expert_comptable_independant";

#[actix_web::test]
async fn a_member_registers_receives_the_email_at_the_register_address_and_sets_a_password() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());

    // Create: the answer shows only a masked address.
    let response = app.create_member_account(QUALITY, &member_ref).await;
    assert_eq!(response.status.as_u16(), 202);
    assert_eq!(response.json()["email_masked"], "m…@cabinet-durand.fr");

    // The email went to the register's address and gives the identifier and the link.
    let email = wait_for_email(&app, "marie.durand@cabinet-durand.fr").await;
    assert!(
        email.text.contains("mdurand"),
        "identifier in the email: {}",
        email.text
    );
    let link = email
        .links
        .iter()
        .find(|l| l.contains("token="))
        .expect("an initialisation link");
    assert!(link.starts_with("https://comptexpert.test/"));
    let token = token_from_link(link);

    // Checking the link does not spend it.
    for _ in 0..2 {
        let info = app.inspect_password_token(&token).await;
        assert_eq!(info.status.as_u16(), 200);
        assert_eq!(info.json()["purpose"], "activation");
        assert_eq!(info.json()["identifier"], "mdurand");
    }

    // Set the password: the link then stops working.
    assert_eq!(
        app.set_password(&token, "Cabinet-2026!")
            .await
            .status
            .as_u16(),
        204
    );
    app.inspect_password_token(&token)
        .await
        .assert_problem(410, "link_invalid");
    app.set_password(&token, "Cabinet-2027!")
        .await
        .assert_problem(410, "link_invalid");
}

#[actix_web::test]
async fn a_weak_password_lists_every_broken_rule_in_french_or_english() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    app.create_member_account(QUALITY, &member_ref).await;
    let email = wait_for_email(&app, "marie.durand@cabinet-durand.fr").await;
    let token = token_from_link(&email.links[0]);

    let body = app
        .set_password(&token, "abc")
        .await
        .assert_problem(422, "password_policy");
    let codes: Vec<_> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["code"].clone())
        .collect();
    assert_eq!(
        codes,
        [
            json!("min_length"),
            json!("digit_required"),
            json!("special_character_required")
        ]
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("au moins 6 caractères"));

    let request = app
        .request(
            awc::http::Method::POST,
            &format!("/v1/password-tokens/{token}"),
        )
        .insert_header(("Accept-Language", "en"));
    let response = app
        .send(
            request,
            Some(json!({"password": "mdurand-1!", "password_confirmation": "other-1!"})),
        )
        .await;
    let body = response.assert_problem(422, "password_policy");
    let codes: Vec<_> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["code"].clone())
        .collect();
    assert_eq!(
        codes,
        [json!("contains_identifier"), json!("confirmation_mismatch")]
    );
    assert_eq!(
        body["errors"][0]["message"],
        "The password must not contain your identifier."
    );

    // A refused password did not spend the link.
    assert_eq!(
        app.inspect_password_token(&token).await.status.as_u16(),
        200
    );
}

#[actix_web::test]
async fn the_minimum_password_length_is_configurable_upward() {
    let app = spawn_app_with(|s| s.password_min_length = 12).await;
    let member_ref = app.add_member(MemberSpec::default());
    app.create_member_account(QUALITY, &member_ref).await;
    let token = token_from_link(
        &wait_for_email(&app, "marie.durand@cabinet-durand.fr")
            .await
            .links[0],
    );
    let body = app
        .set_password(&token, "Short-2026!")
        .await
        .assert_problem(422, "password_policy");
    assert_eq!(body["errors"][0]["code"], "min_length");
    assert_eq!(
        app.set_password(&token, "Longer-2026-ok!")
            .await
            .status
            .as_u16(),
        204
    );
}

#[actix_web::test]
async fn namesakes_get_digits_appended_to_their_identifier() {
    let app = spawn_app().await;
    let marie = app.add_member(MemberSpec::default());
    let michel = app.add_member(MemberSpec {
        supra_number: "87654321",
        civility: "M",
        first_name: "Michel",
        email: "michel.durand@exemple.fr",
        ..MemberSpec::default()
    });
    app.create_member_account(QUALITY, &marie).await;
    app.create_member_account(QUALITY, &michel).await;
    assert!(wait_for_email(&app, "marie.durand@cabinet-durand.fr")
        .await
        .text
        .contains("mdurand"));
    assert!(wait_for_email(&app, "michel.durand@exemple.fr")
        .await
        .text
        .contains("mdurand2"));
}

#[actix_web::test]
async fn registering_twice_gives_the_same_answer_and_a_reminder_with_a_reset_link() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let first = app.create_member_account(QUALITY, &member_ref).await;
    wait_for_email(&app, "marie.durand@cabinet-durand.fr").await;
    // At once: the activation email is on its way, no reminder is added.
    let again = app.create_member_account(QUALITY, &member_ref).await;
    assert_eq!(first.json(), again.json());
    assert_eq!(
        app.outbox_rows_to("marie.durand@cabinet-durand.fr").len(),
        1
    );
    app.age_outbox(comptexpert::registration::ACCOUNT_EMAIL_WINDOW_MINUTES + 1);
    let second = app.create_member_account(QUALITY, &member_ref).await;
    assert_eq!(second.status.as_u16(), 202);
    assert_eq!(first.json(), second.json());

    let emails = wait_for_emails(&app, "marie.durand@cabinet-durand.fr", 2).await;
    let reminder = emails
        .iter()
        .find(|e| e.subject.contains("déjà"))
        .expect("a reminder");
    assert!(reminder.text.contains("mdurand"));
    let token = token_from_link(
        reminder
            .links
            .iter()
            .find(|l| l.contains("token="))
            .expect("reset link"),
    );
    assert_eq!(
        app.inspect_password_token(&token).await.json()["purpose"],
        "reset"
    );
    assert_eq!(app.account_count(), 1);
}

#[actix_web::test]
async fn the_quality_must_suit_the_register_entry() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    app.create_member_account("stagiaire", &member_ref)
        .await
        .assert_problem(422, "quality_mismatch");
    let body = app
        .create_member_account("autre_profil", &member_ref)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["code"], "external_form_quality");
    app.create_member_account("astronaute", &member_ref)
        .await
        .assert_problem(422, "validation_failed");
    // Both expert-comptable qualités suit an expert-comptable entry.
    assert_eq!(
        app.create_member_account("expert_comptable_salarie", &member_ref)
            .await
            .status
            .as_u16(),
        202
    );
    app.create_member_account(QUALITY, "no-such-member")
        .await
        .assert_problem(404, "member_not_found");
}

#[actix_web::test]
async fn simultaneous_registrations_of_one_member_create_exactly_one_account() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let attempts = (0..20).map(|_| app.create_member_account(QUALITY, &member_ref));
    let responses = futures_util::future::join_all(attempts).await;
    assert!(
        responses.iter().all(|r| r.status.as_u16() == 202),
        "{responses:?}"
    );
    assert_eq!(app.account_count(), 1);
    // Every request was answered, so every email it queued is in the outbox: one, the activation.
    let kinds: Vec<String> = app
        .outbox_rows_to("marie.durand@cabinet-durand.fr")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec!["account_activation"],
        "one email for twenty requests"
    );
    let email = wait_for_email(&app, "marie.durand@cabinet-durand.fr").await;
    assert!(email.subject.contains("a été créé"), "{}", email.subject);
}

#[actix_web::test]
async fn a_retried_registration_with_the_same_idempotency_key_is_answered_once() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let first = app
        .create_member_account_with_key(QUALITY, &member_ref, "retry-1")
        .await;
    let second = app
        .create_member_account_with_key(QUALITY, &member_ref, "retry-1")
        .await;
    assert_eq!(first.status.as_u16(), 202);
    assert_eq!(second.status.as_u16(), 202);
    assert_eq!(first.json(), second.json());
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    wait_for_email(&app, "marie.durand@cabinet-durand.fr").await;
    assert_eq!(
        app.outbox_rows_to("marie.durand@cabinet-durand.fr").len(),
        1,
        "the retry queued no second email"
    );

    app.create_member_account_with_key("expert_comptable_salarie", &member_ref, "retry-1")
        .await
        .assert_problem(422, "idempotency_key_reused");
}

#[actix_web::test]
async fn a_rac_registers_with_the_external_form() {
    let app = spawn_app().await;
    let response = app
        .create_external_account(rac_form("J.Martin", "Jeanne.Martin@Cabinet.fr"))
        .await;
    assert_eq!(response.status.as_u16(), 202);
    assert_eq!(response.json()["email_masked"], "j…@cabinet.fr");
    let email = wait_for_email(&app, "jeanne.martin@cabinet.fr").await;
    assert!(email.text.contains("j.martin"));
    let token = token_from_link(
        email
            .links
            .iter()
            .find(|l| l.contains("token="))
            .expect("link"),
    );
    assert_eq!(
        app.inspect_password_token(&token).await.json()["identifier"],
        "j.martin"
    );
    assert_eq!(
        app.set_password(&token, "Rac-2026!").await.status.as_u16(),
        204
    );
}

#[actix_web::test]
async fn a_taken_identifier_is_a_409() {
    let app = spawn_app().await;
    app.create_external_account(rac_form("j.martin", "jeanne@cabinet.fr"))
        .await;
    let body = app
        .create_external_account(rac_form("J.MARTIN", "autre@cabinet.fr"))
        .await
        .assert_problem(409, "identifier_taken");
    assert_eq!(body["title"], "Identifiant déjà utilisé");
}

#[actix_web::test]
async fn an_email_already_used_gets_the_same_answer_and_a_notice_instead_of_a_second_account() {
    let app = spawn_app().await;
    let first = app
        .create_external_account(rac_form("j.martin", "jeanne@cabinet.fr"))
        .await;
    app.age_outbox(comptexpert::registration::ACCOUNT_EMAIL_WINDOW_MINUTES + 1);
    let second = app
        .create_external_account(rac_form("jeanne.m", "jeanne@cabinet.fr"))
        .await;
    assert_eq!(second.status.as_u16(), 202);
    assert_eq!(first.json(), second.json());
    assert_eq!(app.account_count(), 1);
    let emails = wait_for_emails(&app, "jeanne@cabinet.fr", 2).await;
    assert!(emails
        .iter()
        .any(|e| e.text.contains("j.martin") && !e.links.iter().any(|l| l.contains("token="))));
}

#[actix_web::test]
async fn every_invalid_field_of_the_external_form_is_reported_at_once() {
    let app = spawn_app().await;
    let body = json!({
        "identifier": "1x",
        "email": "not-an-email",
        "civility": "Dr",
        "last_name": " ",
        "first_name": "Jeanne",
        "phone": "12345",
        "address": "12 rue de la Paix",
        "city": "Paris",
        "postal_code": "7500",
        "birth_year": 1890,
        "accepts_communications": false
    });
    let problem = app
        .create_external_account(body)
        .await
        .assert_problem(422, "validation_failed");
    let mut fields: Vec<_> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "birth_year",
            "civility",
            "email",
            "identifier",
            "last_name",
            "phone",
            "postal_code"
        ]
    );
    assert_eq!(app.account_count(), 0);
}

#[actix_web::test]
async fn simultaneous_rac_registrations_with_one_identifier_create_one_account() {
    let app = spawn_app().await;
    let attempts = (0..6)
        .map(|i| app.create_external_account(rac_form("j.martin", &format!("rac{i}@cabinet.fr"))));
    let responses = futures_util::future::join_all(attempts).await;
    let accepted = responses
        .iter()
        .filter(|r| r.status.as_u16() == 202)
        .count();
    let taken = responses
        .iter()
        .filter(|r| r.json()["code"] == "identifier_taken")
        .count();
    assert_eq!((accepted, taken), (1, 5), "{responses:?}");
    assert_eq!(app.account_count(), 1);
}

#[actix_web::test]
async fn a_registration_whose_process_died_before_answering_is_answered_by_a_retry_past_the_lease()
{
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let send = || async {
        app.send(
            app.request(awc::http::Method::POST, "/v1/accounts")
                .insert_header(("Idempotency-Key", "inscription-1")),
            Some(serde_json::json!({"quality": QUALITY, "member_ref": member_ref})),
        )
        .await
    };
    let first = send().await;
    assert_eq!(first.status.as_u16(), 202, "{}", first.json());
    let mut p = crate::portal_fixtures::Portal::of(&app);

    p.as_if_killed("inscription-1", false);
    send().await.assert_problem(409, "idempotency_in_progress");
    p.as_if_killed("inscription-1", true);
    let retried = send().await;
    assert_eq!(retried.status.as_u16(), 202, "{}", retried.json());
    assert_eq!(retried.json(), first.json());
    assert_eq!(app.account_count(), 1);
    assert_eq!(
        app.outbox_rows_to("marie.durand@cabinet-durand.fr").len(),
        1,
        "one activation email"
    );
    let replayed = send().await;
    assert_eq!(
        replayed.header("idempotent-replayed").as_deref(),
        Some("true")
    );
}
