//! Registering the Ordre's sites as relying parties (`comptexpert clients …`).

use comptexpert::{
    flows::clients::{self, ClientError},
    oidc::clients::{secret_matches, ClientSpec},
};

use crate::helpers::spawn_app;

fn annuaire() -> ClientSpec {
    ClientSpec {
        client_id: "annuaire".into(),
        name: "Annuaire de l'Ordre".into(),
        confidential: true,
        redirect_uris: vec!["https://annuaire.example/callback".into()],
        post_logout_redirect_uris: vec!["https://annuaire.example/".into()],
        scopes: vec!["profile".into(), "ordre".into()],
        backchannel_logout_uri: Some("https://annuaire.example/backchannel".into()),
        id_token_alg: "RS256".into(),
        access_token_seconds: 900,
        refresh_token_seconds: 30 * 24 * 3600,
    }
}

#[actix_web::test]
async fn a_client_is_registered_once_with_a_secret_kept_only_as_a_digest() {
    let app = spawn_app().await;

    let registered = clients::add(&app.context, annuaire()).await.expect("added");
    let again = clients::add(&app.context, annuaire()).await;

    let secret = registered
        .secret
        .expect("a confidential client gets a secret");
    let stored = clients::show(&app.context, "annuaire")
        .await
        .expect("stored");
    assert!(secret_matches(&stored, &secret));
    assert_ne!(stored.secret_hash.as_deref(), Some(secret.as_str()));
    assert_eq!(stored.scopes(), vec!["openid", "ordre", "profile"]);
    assert_eq!(
        stored.redirect_uris(),
        vec!["https://annuaire.example/callback"]
    );
    assert!(matches!(again, Err(ClientError::Taken(_))));
    assert_eq!(clients::list(&app.context).await.expect("list").len(), 1);
}

#[actix_web::test]
async fn an_update_keeps_the_secret_unless_a_new_one_is_asked_for() {
    let app = spawn_app().await;
    let first = clients::add(&app.context, annuaire())
        .await
        .expect("added")
        .secret
        .expect("secret");

    let renamed = clients::update(
        &app.context,
        "annuaire",
        |spec| spec.name = "Annuaire des experts-comptables".into(),
        false,
    )
    .await
    .expect("updated");
    let stored = clients::show(&app.context, "annuaire")
        .await
        .expect("stored");
    assert!(renamed.secret.is_none());
    assert_eq!(stored.name, "Annuaire des experts-comptables");
    assert!(secret_matches(&stored, &first), "the secret stays");

    let rotated = clients::update(&app.context, "annuaire", |_| {}, true)
        .await
        .expect("new secret")
        .secret
        .expect("printed once");
    let stored = clients::show(&app.context, "annuaire")
        .await
        .expect("stored");
    assert!(secret_matches(&stored, &rotated));
    assert!(
        !secret_matches(&stored, &first),
        "the old secret stops working"
    );

    let refused = clients::update(
        &app.context,
        "annuaire",
        |spec| spec.redirect_uris = vec!["http://annuaire.example/callback".into()],
        false,
    )
    .await;
    assert!(matches!(refused, Err(ClientError::Invalid(_))));
    assert_eq!(
        clients::show(&app.context, "annuaire")
            .await
            .expect("unchanged")
            .redirect_uris(),
        vec!["https://annuaire.example/callback"]
    );

    clients::remove(&app.context, "annuaire")
        .await
        .expect("removed");
    assert!(matches!(
        clients::show(&app.context, "annuaire").await,
        Err(ClientError::Unknown(_))
    ));
    assert!(matches!(
        clients::remove(&app.context, "annuaire").await,
        Err(ClientError::Unknown(_))
    ));
}
