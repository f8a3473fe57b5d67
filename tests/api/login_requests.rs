//! Login requests of the OpenID Connect provider, as stored: accepted once by a signed-in user,
//! collected once by the browser holding the continuation, and nothing after they expire.

use comptexpert::{
    db::{
        self,
        login_requests::{Asked, LoginRequest, LIFETIME},
    },
    domain::{states::LoginRequestStatus, tokens},
    flows::clients,
    oidc::clients::ClientSpec,
};

use crate::helpers::{spawn_app, TestApp};

pub async fn with_client(app: &TestApp) {
    clients::add(
        &app.context,
        ClientSpec {
            client_id: "annuaire".into(),
            name: "Annuaire de l'Ordre".into(),
            confidential: false,
            redirect_uris: vec!["https://annuaire.example/callback".into()],
            post_logout_redirect_uris: vec![],
            scopes: vec!["openid".into(), "profile".into()],
            backchannel_logout_uri: None,
            id_token_alg: "RS256".into(),
            access_token_seconds: 900,
            refresh_token_seconds: 3600,
        },
    )
    .await
    .expect("a client");
}

fn asked() -> Asked {
    Asked {
        client_id: Some("annuaire".into()),
        cas_service_id: None,
        redirect_uri: "https://annuaire.example/callback".into(),
        scope: "openid profile".into(),
        state: Some("xyz".into()),
        nonce: Some("n-0S6_WzA2Mj".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        prompt: None,
        max_age: None,
    }
}

#[actix_web::test]
async fn a_request_is_accepted_once_and_collected_once_with_its_continuation() {
    let app = spawn_app().await;
    with_client(&app).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let session_id = app
        .sign_in(&account.identifier, &account.password, false)
        .await
        .json()["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let now = db::now();

    let request = LoginRequest::create(&mut conn, asked(), now).expect("created");
    assert!(tokens::is_well_formed(&request.id));
    assert_eq!(request.expires_at - now, LIFETIME);
    assert_eq!(request.scopes(), vec!["openid", "profile"]);
    let continuation = tokens::random_token();

    assert!(LoginRequest::accept(
        &mut conn,
        &request.id,
        &account.id,
        &session_id,
        &continuation,
        now
    )
    .expect("accepted"));
    assert!(
        !LoginRequest::accept(
            &mut conn,
            &request.id,
            &account.id,
            &session_id,
            "other",
            now
        )
        .expect("twice"),
        "accepted once"
    );
    assert!(!LoginRequest::reject(&mut conn, &request.id, now).expect("too late"));
    assert!(
        LoginRequest::complete(&mut conn, &request.id, &tokens::random_token(), now)
            .expect("wrong")
            .is_none(),
        "only the continuation's holder collects it"
    );
    let completed = LoginRequest::complete(&mut conn, &request.id, &continuation, now)
        .expect("collected")
        .expect("the request");
    assert_eq!(completed.status, LoginRequestStatus::Completed);
    assert_eq!(completed.account_id.as_deref(), Some(account.id.as_str()));
    assert_eq!(completed.session_id.as_deref(), Some(session_id.as_str()));
    assert!(
        LoginRequest::complete(&mut conn, &request.id, &continuation, now)
            .expect("replayed")
            .is_none(),
        "collected once"
    );
}

#[actix_web::test]
async fn a_rejected_or_expired_request_cannot_be_accepted() {
    let app = spawn_app().await;
    with_client(&app).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let session_id = app
        .sign_in(&account.identifier, &account.password, false)
        .await
        .json()["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let now = db::now();

    let refused = LoginRequest::create(&mut conn, asked(), now).expect("created");
    assert!(LoginRequest::reject(&mut conn, &refused.id, now).expect("rejected"));
    assert!(
        !LoginRequest::accept(&mut conn, &refused.id, &account.id, &session_id, "c", now)
            .expect("refused")
    );
    assert_eq!(
        LoginRequest::find_unexpired(&mut conn, &refused.id, now)
            .expect("found")
            .map(|r| r.status),
        Some(LoginRequestStatus::Rejected)
    );

    let stale = LoginRequest::create(&mut conn, asked(), now).expect("created");
    let later = now + LIFETIME;
    assert!(LoginRequest::find_unexpired(&mut conn, &stale.id, later)
        .expect("read")
        .is_none());
    assert!(
        !LoginRequest::accept(&mut conn, &stale.id, &account.id, &session_id, "c", later)
            .expect("expired")
    );
}

mod codes {
    use comptexpert::db::{
        self,
        authorization_codes::{AuthorizationCode, Granted, Presented, Refusal, LIFETIME},
    };

    use super::with_client;
    use crate::helpers::spawn_app;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const REDIRECT: &str = "https://annuaire.example/callback";

    fn presented<'a>(verifier: Option<&'a str>) -> Presented<'a> {
        Presented {
            client_id: "annuaire",
            redirect_uri: REDIRECT,
            code_verifier: verifier,
        }
    }

    #[actix_web::test]
    async fn a_code_exchanges_once_for_its_client_redirect_uri_and_verifier() {
        let app = spawn_app().await;
        with_client(&app).await;
        let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
        let session_id = app
            .sign_in(&account.identifier, &account.password, false)
            .await
            .json()["session_id"]
            .as_str()
            .expect("session")
            .to_owned();
        let pool = db::build_pool(&app.database_url).expect("pool");
        let mut conn = pool.get().expect("connection");
        let now = db::now();
        let granted = Granted {
            client_id: "annuaire".into(),
            redirect_uri: REDIRECT.into(),
            account_id: account.id.clone(),
            session_id,
            scope: "openid profile".into(),
            nonce: Some("n-0S6_WzA2Mj".into()),
            code_challenge: Some(CHALLENGE.into()),
        };
        let code = AuthorizationCode::issue(&mut conn, granted.clone(), now).expect("issued");
        let redeem = |conn: &mut db::PooledConnection, p: Presented<'_>, at| {
            AuthorizationCode::redeem(conn, &code, p, at).expect("redeem")
        };

        for wrong in [
            Presented {
                client_id: "other",
                ..presented(Some(VERIFIER))
            },
            Presented {
                redirect_uri: "https://annuaire.example/callback?x=1",
                ..presented(Some(VERIFIER))
            },
            presented(Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj")),
            presented(None),
        ] {
            assert_eq!(redeem(&mut conn, wrong, now), Err(Refusal::Mismatch));
        }
        let exchanged = redeem(&mut conn, presented(Some(VERIFIER)), now).expect("exchanged");
        assert_eq!(exchanged.account_id, account.id);
        assert_eq!(exchanged.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
        let grant_id = exchanged.grant_id.clone().expect("a grant");
        assert_eq!(
            redeem(&mut conn, presented(Some(VERIFIER)), now),
            Err(Refusal::Replayed { grant_id }),
            "a second presentation names what the first gave, to revoke it"
        );

        let late = AuthorizationCode::issue(&mut conn, granted, now).expect("issued");
        assert_eq!(
            AuthorizationCode::redeem(&mut conn, &late, presented(Some(VERIFIER)), now + LIFETIME)
                .expect("redeem"),
            Err(Refusal::Unknown),
            "60 seconds, not one more"
        );
        assert_eq!(
            AuthorizationCode::redeem(&mut conn, "not a code", presented(Some(VERIFIER)), now)
                .expect("redeem"),
            Err(Refusal::Unknown)
        );
    }
}
