//! The support desk's actions (`comptexpert account …`): each does what it says, as the account's
//! owner sees it through the API, and shows in the owner's security history.

use comptexpert::flows::support::{self, AccountQuery, SupportError};

use crate::{
    fixtures::{token_from_link, MemberSpec},
    helpers::spawn_app,
    mailbox::{wait_for_email, wait_for_emails},
    session_checks::security_events,
};

fn query(text: &str) -> AccountQuery {
    AccountQuery::parse(text)
}

#[actix_web::test]
async fn the_support_finds_an_account_by_identifier_email_or_supra_number_and_it_is_recorded() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let account = app.add_member_account(
        &member_ref,
        "mdurand",
        "Cabinet-2026!",
        "marie.durand@cabinet-durand.fr",
        true,
    );

    for typed in ["MDurand", " marie.durand@CABINET-durand.fr ", "12345678"] {
        let found = support::look_up(&app.context, query(typed))
            .await
            .expect(typed);
        assert_eq!(found.len(), 1, "{typed}");
        assert_eq!(found[0].account.id, account.id);
        assert_eq!(found[0].supra_number.as_deref(), Some("12345678"));
        let shown = found[0].to_string();
        assert!(
            shown.contains("mdurand") && shown.contains("not locked"),
            "{shown}"
        );
    }
    let missing = support::look_up(&app.context, query("personne"))
        .await
        .expect_err("nobody");
    assert!(matches!(missing, SupportError::NoAccount(_)), "{missing}");

    let (access, _) = app.signed_in(&account).await;
    let events = security_events(&app, &access).await;
    assert_eq!(
        events
            .iter()
            .filter(|(kind, _)| kind == "viewed_by_support")
            .count(),
        3,
        "{events:?}"
    );
}

#[actix_web::test]
async fn unlocking_lets_a_locked_identifier_sign_in_at_once() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    for _ in 0..6 {
        app.sign_in(&account.identifier, "Wrong-2026!", false).await;
    }
    app.sign_in(&account.identifier, &account.password, false)
        .await
        .assert_problem(429, "rate_limited");
    let shown = support::look_up(&app.context, query("j.martin"))
        .await
        .expect("found")[0]
        .to_string();
    assert!(shown.contains("locked for"), "{shown}");

    let (unlocked, was_locked) = support::unlock(&app.context, query("j.martin"))
        .await
        .expect("unlocked");

    assert!(was_locked);
    assert_eq!(unlocked.id, account.id);
    let signed_in = app
        .sign_in(&account.identifier, &account.password, false)
        .await;
    assert_eq!(signed_in.status.as_u16(), 201);
    let access = signed_in.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let events = security_events(&app, &access).await;
    assert!(
        events
            .iter()
            .any(|(kind, _)| kind == "sign_in_unlocked_by_support"),
        "{events:?}"
    );
}

#[actix_web::test]
async fn revoking_closes_every_session_of_the_account_and_no_other() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let other = app.add_active_account("p.dupont", "Other-2026!", "p@cabinet.fr");
    let (first_access, first_refresh) = app.signed_in(&account).await;
    let (second_access, _) = app.signed_in(&account).await;
    let (other_access, _) = app.signed_in(&other).await;

    let (_, closed) = support::revoke_sessions(&app.context, query("jeanne@cabinet.fr"))
        .await
        .expect("revoked");

    assert_eq!(closed, 2);
    for access in [&first_access, &second_access] {
        app.me(access).await.assert_problem(401, "token_revoked");
    }
    app.refresh(&first_refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
    assert_eq!(app.me(&other_access).await.status.as_u16(), 200);
    let (access, _) = app.signed_in(&account).await;
    let events = security_events(&app, &access).await;
    assert!(events
        .iter()
        .any(|(kind, _)| kind == "sessions_revoked_by_support"));
}

#[actix_web::test]
async fn a_pending_account_gets_a_new_activation_link_and_an_active_one_a_reset_link() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let pending = app.add_member_account(
        &member_ref,
        "mdurand",
        "unused",
        "marie.durand@cabinet-durand.fr",
        false,
    );
    let refused = support::send_reset(&app.context, query("mdurand"))
        .await
        .expect_err("no password yet");
    assert!(matches!(refused, SupportError::NotActive(_)), "{refused}");

    support::resend_activation(&app.context, query("12345678"))
        .await
        .expect("sent");

    let email = wait_for_email(&app, &pending.email).await;
    assert_eq!(email.subject, "Votre compte ComptExpert a été créé");
    let token = token_from_link(&email.links[0]);
    assert_eq!(
        app.set_password(&token, "Cabinet-2026!")
            .await
            .status
            .as_u16(),
        204
    );
    let again = support::resend_activation(&app.context, query("mdurand"))
        .await
        .expect_err("active now");
    assert!(matches!(again, SupportError::AlreadyActive(_)), "{again}");

    support::send_reset(&app.context, query("mdurand"))
        .await
        .expect("sent");
    let emails = wait_for_emails(&app, &pending.email, 2).await;
    let reset = emails.last().expect("the reset email");
    let token = token_from_link(&reset.links[0]);
    assert_eq!(
        app.set_password(&token, "Nouveau-2026!")
            .await
            .status
            .as_u16(),
        204
    );
    let signed_in = app.sign_in("mdurand", "Nouveau-2026!", false).await;
    assert_eq!(signed_in.status.as_u16(), 201);
    let access = signed_in.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let kinds: Vec<String> = security_events(&app, &access)
        .await
        .into_iter()
        .map(|(kind, _)| kind)
        .collect();
    assert!(
        kinds.contains(&"activation_link_resent".to_owned()),
        "{kinds:?}"
    );
    assert!(kinds.contains(&"reset_link_sent_by_support".to_owned()));
}

#[actix_web::test]
async fn an_action_on_an_email_of_several_accounts_asks_for_the_identifier() {
    let app = spawn_app().await;
    app.add_active_account("j.martin", "Rac-2026!", "cabinet@exemple.fr");
    app.add_active_account("p.dupont", "Other-2026!", "cabinet@exemple.fr");

    assert_eq!(
        support::look_up(&app.context, query("cabinet@exemple.fr"))
            .await
            .expect("both")
            .len(),
        2
    );
    let error = support::unlock(&app.context, query("cabinet@exemple.fr"))
        .await
        .expect_err("ambiguous");

    let SupportError::SeveralAccounts(_, mut identifiers) = error else {
        panic!("{error}");
    };
    identifiers.sort();
    assert_eq!(identifiers, vec!["j.martin", "p.dupont"]);
}

#[actix_web::test]
async fn the_binary_runs_the_support_commands_on_the_services_database() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    let dir = tempfile::tempdir().expect("a directory");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_comptexpert"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("JWT_KEY_FILE", dir.path().join("keys.pem"))
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };

    // The session is known live in this process's cache before the other process closes it.
    assert_eq!(app.me(&access).await.status.as_u16(), 200);
    let shown = run(&["account", "show", "j.martin"]);
    let closed = run(&["account", "revoke-sessions", "j.martin"]);
    let closed_at = std::time::Instant::now();
    // Another process closed it. On PostgreSQL this one hears it at once (NOTIFY); on SQLite its
    // cache learns within its 2 s bound. Counted from the command's end, polled every 20 ms.
    let postgres = app.database_url.starts_with("postgres");
    let bound = std::time::Duration::from_millis(if postgres { 500 } else { 2_500 });
    loop {
        let me = app.me(&access).await;
        if me.status.as_u16() == 401 {
            me.assert_problem(401, "token_revoked");
            break;
        }
        assert!(
            closed_at.elapsed() < bound,
            "still accepted after {:?}",
            closed_at.elapsed()
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let missing = run(&["account", "unlock", "personne"]);

    assert!(shown.status.success());
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("jeanne@cabinet.fr") && text.contains("1 live"),
        "{text}"
    );
    assert!(closed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&closed.stdout).trim(),
        "j.martin: 1 session(s) closed"
    );
    assert!(!missing.status.success());
    assert!(
        !dir.path().join("keys.pem").exists(),
        "an operator command writes no key file"
    );
    let fresh = std::process::Command::new(env!("CARGO_BIN_EXE_comptexpert"))
        .args(["account", "show", "j.martin"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("empty.db").display()),
        )
        .env("JWT_KEY_FILE", dir.path().join("keys.pem"))
        .output()
        .expect("the binary runs");
    assert!(!fresh.status.success());
    assert!(
        String::from_utf8_lossy(&fresh.stderr).contains("run `comptexpert migrate` first"),
        "an operator command never migrates"
    );
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no account has the identifier personne")
    );
}
