//! `flows::sessions`: password sign-in.

use comptexpert::flows::{
    sessions::sign_in::{sign_in, Credentials, SignIn},
    Client,
};

use crate::helpers::spawn_app;

fn credentials(identifier: &str, password: &str) -> Credentials {
    Credentials {
        identifier: identifier.into(),
        password: password.into(),
        keep_session_active: true,
    }
}

fn client() -> Client {
    Client::new("192.0.2.10", Some("flow-test"))
}

#[actix_web::test]
async fn the_right_password_opens_a_kept_session_whatever_the_identifiers_case() {
    let app = spawn_app().await;
    app.add_active_account("mdurand", "Cabinet-2026!", "marie@example.fr");

    let outcome = sign_in(
        &app.context,
        credentials(" MDurand ", "Cabinet-2026!"),
        client(),
    )
    .await
    .expect("no error");

    let SignIn::SignedIn(signed_in) = outcome else {
        panic!("expected a session, got {outcome:?}");
    };
    assert_eq!(signed_in.account.identifier, "mdurand");
    assert!(signed_in.session.keep_active);
    assert_eq!(signed_in.session.amr, "pwd");
    assert_eq!(signed_in.session.user_agent.as_deref(), Some("flow-test"));
    assert!(!signed_in.access_token.is_empty() && !signed_in.refresh_token.is_empty());
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_identifier_are_both_denied() {
    let app = spawn_app().await;
    app.add_active_account("mdurand", "Cabinet-2026!", "marie@example.fr");

    for (identifier, password) in [("mdurand", "Wrong-2026!"), ("nobody", "Cabinet-2026!")] {
        let outcome = sign_in(&app.context, credentials(identifier, password), client())
            .await
            .expect("no error");
        assert!(
            matches!(outcome, SignIn::Denied),
            "{identifier}: {outcome:?}"
        );
    }
}

#[actix_web::test]
async fn repeated_failures_lock_the_identifier_even_for_the_right_password() {
    let app = spawn_app().await;
    app.add_active_account("mdurand", "Cabinet-2026!", "marie@example.fr");

    let mut locked = None;
    for _ in 0..20 {
        match sign_in(
            &app.context,
            credentials("mdurand", "Wrong-2026!"),
            client(),
        )
        .await
        .expect("no error")
        {
            SignIn::Locked {
                retry_after_seconds,
            } => {
                locked = Some(retry_after_seconds);
                break;
            }
            SignIn::Denied => {}
            other => panic!("a wrong password signed in: {other:?}"),
        }
    }
    assert!(locked.is_some_and(|s| s >= 1), "never locked");

    let outcome = sign_in(
        &app.context,
        credentials("mdurand", "Cabinet-2026!"),
        client(),
    )
    .await
    .expect("no error");
    assert!(matches!(outcome, SignIn::Locked { .. }), "{outcome:?}");
}

#[actix_web::test]
async fn an_empty_identifier_is_a_validation_error_naming_the_field() {
    let app = spawn_app().await;
    let error = sign_in(&app.context, credentials("   ", "x"), client())
        .await
        .expect_err("refused");
    assert_eq!(error.code().as_str(), "validation_failed");
}
