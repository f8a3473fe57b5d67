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

/// Signs `mdurand` in through the flow and returns the session's tokens.
async fn signed_in(app: &crate::helpers::TestApp) -> comptexpert::auth::session_tokens::SignedIn {
    app.add_active_account("mdurand", "Cabinet-2026!", "marie@example.fr");
    match sign_in(
        &app.context,
        credentials("mdurand", "Cabinet-2026!"),
        client(),
    )
    .await
    .expect("no error")
    {
        SignIn::SignedIn(signed_in) => *signed_in,
        other => panic!("expected a session, got {other:?}"),
    }
}

/// Whether the session is still live.
async fn is_live(app: &crate::helpers::TestApp, session_id: &str) -> bool {
    let id = session_id.to_owned();
    app.context
        .db
        .run(move |conn| {
            Ok(
                comptexpert::db::sessions::Session::find_live(conn, &id, comptexpert::db::now())?
                    .is_some(),
            )
        })
        .await
        .expect("read")
}

#[actix_web::test]
async fn a_refresh_token_is_exchanged_once_for_a_new_pair_of_the_same_session() {
    use comptexpert::flows::sessions::refresh::refresh;
    let app = spawn_app().await;
    let first = signed_in(&app).await;

    let refreshed = refresh(&app.context, first.refresh_token.clone())
        .await
        .expect("refreshed");
    assert_eq!(refreshed.session.id, first.session.id);
    assert_eq!(refreshed.account.identifier, "mdurand");
    assert_ne!(refreshed.refresh_token, first.refresh_token);

    // The old token again, at once: a concurrent retry, refused without closing the session.
    let again = refresh(&app.context, first.refresh_token.clone())
        .await
        .expect_err("used");
    assert_eq!(again.code().as_str(), "invalid_refresh_token");
    assert!(is_live(&app, &first.session.id).await);
    refresh(&app.context, refreshed.refresh_token)
        .await
        .expect("the latest token still works");
}

#[actix_web::test]
async fn a_refresh_token_presented_again_later_revokes_its_session() {
    use comptexpert::flows::sessions::refresh::refresh;
    let app = spawn_app().await;
    let first = signed_in(&app).await;
    let second = refresh(&app.context, first.refresh_token.clone())
        .await
        .expect("refreshed");

    let mut later = app.context.clone();
    later.clock =
        comptexpert::context::Clock::fixed(comptexpert::db::now() + chrono::Duration::seconds(60));
    let reused = refresh(&later, first.refresh_token)
        .await
        .expect_err("reused");
    assert_eq!(reused.code().as_str(), "invalid_refresh_token");
    assert!(!is_live(&app, &first.session.id).await);
    let after = refresh(&later, second.refresh_token)
        .await
        .expect_err("the session is closed");
    assert_eq!(after.code().as_str(), "invalid_refresh_token");
}

#[actix_web::test]
async fn a_malformed_or_unknown_refresh_token_is_refused() {
    use comptexpert::flows::sessions::refresh::refresh;
    let app = spawn_app().await;
    for presented in [
        "",
        "not a token",
        &comptexpert::domain::tokens::random_token(),
    ] {
        let error = refresh(&app.context, presented.to_owned())
            .await
            .expect_err("refused");
        assert_eq!(
            error.code().as_str(),
            "invalid_refresh_token",
            "{presented:?}"
        );
    }
}

#[actix_web::test]
async fn signing_out_closes_the_callers_session_and_its_refresh_token() {
    use comptexpert::{
        auth::extractor::Authenticated,
        flows::sessions::{refresh::refresh, sign_out::sign_out},
    };
    let app = spawn_app().await;
    let signed_in = signed_in(&app).await;
    let auth = Authenticated {
        account_id: signed_in.account.id.clone(),
        session_id: signed_in.session.id.clone(),
        amr: signed_in.session.amr.clone(),
    };

    sign_out(&app.context, &auth, client())
        .await
        .expect("signed out");
    assert!(!is_live(&app, &signed_in.session.id).await);
    let error = refresh(&app.context, signed_in.refresh_token)
        .await
        .expect_err("closed");
    assert_eq!(error.code().as_str(), "invalid_refresh_token");
    // Signing out again changes nothing and is no error.
    sign_out(&app.context, &auth, client())
        .await
        .expect("again");
}

#[actix_web::test]
async fn signing_out_by_refresh_token_closes_its_session_and_ignores_unknown_tokens() {
    use comptexpert::flows::sessions::sign_out::sign_out_by_refresh_token;
    let app = spawn_app().await;
    let signed_in = signed_in(&app).await;

    for unknown in [
        "garbage".to_owned(),
        comptexpert::domain::tokens::random_token(),
    ] {
        sign_out_by_refresh_token(&app.context, unknown, client())
            .await
            .expect("no error for an unknown token");
    }
    assert!(is_live(&app, &signed_in.session.id).await);
    sign_out_by_refresh_token(&app.context, signed_in.refresh_token, client())
        .await
        .expect("signed out");
    assert!(!is_live(&app, &signed_in.session.id).await);
}

#[actix_web::test]
async fn a_hash_upgrade_never_replaces_a_password_changed_since_the_sign_in() {
    use comptexpert::db::accounts::Account;
    let app = spawn_app().await;
    let account = app.add_active_account("mdurand", "Cabinet-2026!", "marie@example.fr");
    let id = account.id.clone();
    let stored = app
        .context
        .db
        .run(move |conn| Ok(Account::find(conn, &id)?.and_then(|a| a.password_hash)))
        .await
        .expect("read")
        .expect("a hash");

    // A reset landed between the sign-in's verification and its upgrade: the upgrade is dropped.
    let (id, verified) = (
        account.id.clone(),
        "$argon2id$v=19$m=4096,t=1,p=1$older".to_owned(),
    );
    let written = app
        .context
        .db
        .run(move |conn| {
            Ok(Account::upgrade_password_hash(
                conn,
                &id,
                &verified,
                "$upgraded",
            )?)
        })
        .await
        .expect("update");
    assert!(!written);
    let id = account.id.clone();
    let after = app
        .context
        .db
        .run(move |conn| Ok(Account::find(conn, &id)?.and_then(|a| a.password_hash)))
        .await
        .expect("read");
    assert_eq!(
        after.as_deref(),
        Some(stored.as_str()),
        "the reset's hash stays"
    );

    // Nothing in between: the verified hash is replaced.
    let id = account.id.clone();
    let written = app
        .context
        .db
        .run(move |conn| {
            Ok(Account::upgrade_password_hash(
                conn,
                &id,
                &stored,
                "$upgraded",
            )?)
        })
        .await
        .expect("update");
    assert!(written);
}
