//! The OpenID Connect provider from outside, as a relying party and its user's browser see it:
//! discovery, the headless authorization with the front end's login request, the SSO cookie,
//! the token endpoint, userinfo, logout and the back-channel logout notices.

use std::sync::{Arc, Mutex};

use awc::http::Method;
use comptexpert::{
    flows::clients,
    oidc::{clients::ClientSpec, pkce},
};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp, TestResponse};

const REDIRECT: &str = "https://annuaire.example/callback";
const AFTER_LOGOUT: &str = "https://annuaire.example/au-revoir";
const VERIFIER: &str = "a-pkce-verifier-of-the-annuaire-that-is-long-enough-0123456789";

fn spec(id: &str, confidential: bool, backchannel: Option<String>) -> ClientSpec {
    ClientSpec {
        client_id: id.into(),
        name: "Annuaire de l'Ordre".into(),
        confidential,
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: vec![AFTER_LOGOUT.into()],
        scopes: ["openid", "profile", "email", "ordre", "offline_access"]
            .map(String::from)
            .to_vec(),
        backchannel_logout_uri: backchannel,
        id_token_alg: "RS256".into(),
        access_token_seconds: 900,
        refresh_token_seconds: 3600,
    }
}

/// Registers `spec`; the secret of a confidential client.
async fn register(app: &TestApp, spec: ClientSpec) -> Option<String> {
    clients::add(&app.context, spec)
        .await
        .unwrap_or_else(|_| panic!("the client registers"))
        .secret
}

fn query_of(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .expect("an absolute location")
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(location: &str, name: &str) -> Option<String> {
    query_of(location)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn authorize_path(client_id: &str, extra: &str) -> String {
    format!(
        "/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20profile%20email%20ordre&state=st-42&nonce=n-0S6&code_challenge={}&code_challenge_method=S256{extra}",
        urlencode(REDIRECT),
        pkce::s256(VERIFIER)
    )
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A browser: the cookies of this service it holds (the SSO cookie, the login request's).
#[derive(Default)]
struct Browser {
    cookies: std::collections::BTreeMap<String, String>,
}

impl Browser {
    fn sso(&self) -> Option<&String> {
        self.cookies.get("__Host-comptexpert-sso")
    }

    async fn get(&mut self, app: &TestApp, path_or_url: &str) -> TestResponse {
        let path = match path_or_url.strip_prefix("http://") {
            // The issuer's own URLs (`redirect_to`) point at this service.
            Some(rest) => &rest[rest.find('/').expect("a path")..],
            None => path_or_url,
        };
        let mut request = app.request(Method::GET, path);
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.insert_header(("Cookie", header.join("; ")));
        }
        let response = app.send(request, None).await;
        for set in response.headers.get_all("set-cookie") {
            let set = set.to_str().expect("ASCII");
            let pair = set.split(';').next().expect("name=value");
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() || set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }
}

fn location(response: &TestResponse) -> String {
    assert_eq!(
        response.status.as_u16(),
        302,
        "expected a redirect: {}",
        String::from_utf8_lossy(&response.body)
    );
    response.header("location").expect("a Location")
}

/// Signs the user in on the front end and accepts the login request of `login_page`; the URL
/// the front end sends the browser to.
async fn accept_on_front_end(app: &TestApp, login_page: &str, access_token: &str) -> String {
    assert!(login_page.starts_with("https://comptexpert.test/connexion?login_request="));
    let id = param(login_page, "login_request").expect("login_request");
    let asked = app.get(&format!("/v1/login-requests/{id}")).await;
    assert_eq!(asked.status.as_u16(), 200);
    let asked = asked.json();
    assert_eq!(asked["client_name"], "Annuaire de l'Ordre");
    assert_eq!(
        asked["scopes"],
        serde_json::json!(["openid", "profile", "email", "ordre"])
    );
    let accepted = app
        .send(
            app.authed(
                Method::POST,
                &format!("/v1/login-requests/{id}/accept"),
                access_token,
            ),
            None,
        )
        .await;
    assert_eq!(accepted.status.as_u16(), 200, "{:?}", accepted.json());
    accepted.json()["redirect_to"]
        .as_str()
        .expect("redirect_to")
        .to_owned()
}

async fn token_request(
    app: &TestApp,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> TestResponse {
    use base64::Engine;
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = app
        .request(Method::POST, "/oauth2/token")
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"));
    if let Some((id, secret)) = basic {
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            urlencode(id),
            urlencode(secret)
        ));
        request = request.insert_header(("Authorization", format!("Basic {credentials}")));
    }
    let mut response = request
        .send_body(body)
        .await
        .expect("the request reaches the server");
    let body = response.body().await.expect("a body").to_vec();
    TestResponse {
        status: response.status(),
        headers: response.headers().clone(),
        body,
    }
}

async fn exchange_code(app: &TestApp, client_id: &str, code: &str) -> TestResponse {
    token_request(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", client_id),
        ],
        None,
    )
    .await
}

#[track_caller]
fn assert_oauth_error(response: &TestResponse, status: u16, error: &str) {
    assert_eq!(
        response.status.as_u16(),
        status,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    let body = response.json();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
}

/// Verifies `token` as a relying party would: the JWKS from discovery, RS256, our issuer, its
/// audience.
async fn verify_id_token(app: &TestApp, token: &str, audience: &str) -> Value {
    let discovery = app.get("/.well-known/openid-configuration").await.json();
    let issuer = discovery["issuer"].as_str().expect("issuer").to_owned();
    let jwks = app.get("/.well-known/jwks.json").await.json();
    let header = jsonwebtoken::decode_header(token).expect("a JWS");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let kid = header.kid.expect("kid");
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("the kid is published");
    assert_eq!(
        (jwk["kty"].as_str(), jwk["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("an RSA key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("the token verifies with the published key")
        .claims
}

/// The whole first sign-in of a site: authorize → login page → accept → resume → code.
async fn first_sign_in(
    app: &TestApp,
    browser: &mut Browser,
    client_id: &str,
    access_token: &str,
) -> String {
    let login_page = location(&browser.get(app, &authorize_path(client_id, "")).await);
    let redirect_to = accept_on_front_end(app, &login_page, access_token).await;
    // Handed to another browser, the continuation signs nobody in (and is not spent).
    Browser::default()
        .get(app, &redirect_to)
        .await
        .assert_problem(404, "login_request_not_found");
    let back = browser.get(app, &redirect_to).await;
    let back_to = location(&back);
    assert!(browser.sso().is_some(), "the SSO cookie is set");
    let set_cookie = back.header("set-cookie").expect("the SSO cookie is set");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(back_to.starts_with(REDIRECT), "{back_to}");
    assert_eq!(param(&back_to, "state").as_deref(), Some("st-42"));
    assert_eq!(
        param(&back_to, "iss").as_deref(),
        Some(app.context.settings.issuer().as_str())
    );
    param(&back_to, "code").expect("a code")
}

#[actix_web::test]
async fn discovery_names_every_endpoint_under_the_issuer_and_the_jwks_has_both_key_types() {
    let app = spawn_app().await;
    let discovery = app.get("/.well-known/openid-configuration").await;
    assert_eq!(discovery.status.as_u16(), 200);
    let d = discovery.json();
    let issuer = app.context.settings.issuer();
    assert_eq!(d["issuer"], issuer.as_str());
    for (name, path) in [
        ("authorization_endpoint", "/oauth2/authorize"),
        ("token_endpoint", "/oauth2/token"),
        ("userinfo_endpoint", "/oauth2/userinfo"),
        ("jwks_uri", "/.well-known/jwks.json"),
        ("end_session_endpoint", "/oauth2/logout"),
    ] {
        assert_eq!(d[name], format!("{issuer}{path}"), "{name}");
    }
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(d["authorization_response_iss_parameter_supported"], true);
    assert_eq!(d["backchannel_logout_supported"], true);
    let jwks = app.get("/.well-known/jwks.json").await.json();
    let types: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["alg"].as_str())
        .collect();
    assert!(
        types.contains(&"RS256") && types.contains(&"EdDSA"),
        "{types:?}"
    );
}

#[actix_web::test]
async fn a_site_signs_a_user_in_headlessly_then_gets_a_code_at_once_from_the_sso_cookie() {
    let app = spawn_app().await;
    register(&app, spec("annuaire", false, None)).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();

    let code = first_sign_in(&app, &mut browser, "annuaire", &access_token).await;
    let tokens = exchange_code(&app, "annuaire", &code).await;
    assert_eq!(tokens.status.as_u16(), 200, "{:?}", tokens.json());
    assert_eq!(tokens.header("cache-control").as_deref(), Some("no-store"));
    let tokens = tokens.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let claims = verify_id_token(&app, tokens["id_token"].as_str().expect("id"), "annuaire").await;
    assert_eq!(claims["sub"], account.id.as_str());
    assert_ne!(
        claims["sub"], "j.martin",
        "the subject is never the identifier"
    );
    assert_eq!(claims["nonce"], "n-0S6");
    assert_eq!(claims["amr"], serde_json::json!(["pwd"]));
    assert_eq!(claims["acr"], "urn:comptexpert:acr:1");
    assert_eq!(claims["email"], "jeanne@cabinet.fr");
    assert_eq!(claims["preferred_username"], "j.martin");
    assert!(claims["auth_time"]
        .as_i64()
        .is_some_and(|t| t <= claims["iat"].as_i64().expect("present")));
    assert_eq!(
        claims["ordre"]["supra_number"],
        Value::Null,
        "a RAC has none"
    );

    // userinfo with the site's access token; the API's own endpoints refuse it.
    let site_token = tokens["access_token"].as_str().expect("access token");
    let info = app
        .send(
            app.authed(Method::GET, "/oauth2/userinfo", site_token),
            None,
        )
        .await;
    assert_eq!(info.status.as_u16(), 200);
    let info = info.json();
    assert_eq!(info["sub"], account.id.as_str());
    assert_eq!(info["family_name"], claims["family_name"]);
    app.me(site_token)
        .await
        .assert_problem(401, "token_invalid");
    let refused = app
        .send(
            app.authed(Method::GET, "/oauth2/userinfo", &access_token),
            None,
        )
        .await;
    assert_eq!(refused.status.as_u16(), 401);
    assert!(refused
        .header("www-authenticate")
        .is_some_and(|v| v.contains("invalid_token")));

    // The cookie signs the browser in to the next authorization without the login page.
    let again = location(&browser.get(&app, &authorize_path("annuaire", "")).await);
    assert!(again.starts_with(REDIRECT), "{again}");
    let second = param(&again, "code").expect("a code at once");
    assert_eq!(
        exchange_code(&app, "annuaire", &second)
            .await
            .status
            .as_u16(),
        200
    );
    // prompt=login forces the login page; a session older than the request is not enough.
    let login_page = location(
        &browser
            .get(&app, &authorize_path("annuaire", "&prompt=login"))
            .await,
    );
    let id = param(&login_page, "login_request").expect("a login request");
    let asked = app.get(&format!("/v1/login-requests/{id}")).await.json();
    assert_eq!(asked["sign_in_required"], true);
    app.send(
        app.authed(
            Method::POST,
            &format!("/v1/login-requests/{id}/accept"),
            &access_token,
        ),
        None,
    )
    .await
    .assert_problem(403, "fresh_sign_in_required");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (fresh, _) = app.signed_in(&account).await;
    let accepted = app
        .send(
            app.authed(
                Method::POST,
                &format!("/v1/login-requests/{id}/accept"),
                &fresh,
            ),
            None,
        )
        .await;
    assert_eq!(accepted.status.as_u16(), 200);
    // Accepted once: a second acceptance, or a rejection, is refused.
    app.send(
        app.authed(
            Method::POST,
            &format!("/v1/login-requests/{id}/accept"),
            &fresh,
        ),
        None,
    )
    .await
    .assert_problem(409, "login_request_decided");
    // The continuation works once, and only with its secret.
    let redirect_to = accepted.json()["redirect_to"]
        .as_str()
        .expect("present")
        .to_owned();
    let forged = format!(
        "/oauth2/authorize/resume?login_request={id}&continuation={}",
        comptexpert::domain::tokens::random_token()
    );
    Browser::default()
        .get(&app, &forged)
        .await
        .assert_problem(404, "login_request_not_found");
    assert!(location(&browser.get(&app, &redirect_to).await).starts_with(REDIRECT));
    browser
        .get(&app, &redirect_to)
        .await
        .assert_problem(404, "login_request_not_found");
}

#[actix_web::test]
async fn refusals_before_the_redirect_uri_is_checked_are_pages_and_after_are_redirects() {
    let app = spawn_app().await;
    register(&app, spec("annuaire", false, None)).await;
    let mut browser = Browser::default();
    let unknown = browser.get(&app, &authorize_path("inconnu", "")).await;
    unknown.assert_problem(400, "client_unknown");
    assert!(unknown.header("location").is_none());
    let elsewhere = authorize_path("annuaire", "").replace(
        &urlencode(REDIRECT),
        &urlencode("https://attaquant.example/callback"),
    );
    let mismatch = browser.get(&app, &elsewhere).await;
    mismatch.assert_problem(400, "redirect_uri_mismatch");
    assert!(mismatch.header("location").is_none());

    for (path, error) in [
        (
            authorize_path("annuaire", "").replace("scope=openid%20", "scope="),
            "invalid_scope",
        ),
        (
            authorize_path("annuaire", "").replace("ordre", "admin"),
            "invalid_scope",
        ),
        (
            authorize_path("annuaire", "").replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (
            authorize_path("annuaire", "").replace(
                "&code_challenge_method=S256",
                "&code_challenge_method=plain",
            ),
            "invalid_request",
        ),
        (
            authorize_path("annuaire", "")
                .split("&code_challenge=")
                .next()
                .expect("present")
                .to_owned(),
            "invalid_request",
        ),
        (authorize_path("annuaire", "&prompt=none"), "login_required"),
        (
            authorize_path("annuaire", "&max_age=soon"),
            "invalid_request",
        ),
    ] {
        let back = location(&browser.get(&app, &path).await);
        assert!(back.starts_with(REDIRECT), "{path}: {back}");
        assert_eq!(param(&back, "error").as_deref(), Some(error), "{path}");
        assert_eq!(param(&back, "state").as_deref(), Some("st-42"));
        assert_eq!(
            param(&back, "iss").as_deref(),
            Some(app.context.settings.issuer().as_str())
        );
        assert!(param(&back, "code").is_none());
    }

    // A rejected request goes back to the site with access_denied.
    let login_page = location(&browser.get(&app, &authorize_path("annuaire", "")).await);
    let id = param(&login_page, "login_request").expect("present");
    let rejected = app
        .post_raw(
            &format!("/v1/login-requests/{id}/reject"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(rejected.status.as_u16(), 200);
    let back = rejected.json()["redirect_to"]
        .as_str()
        .expect("present")
        .to_owned();
    assert!(back.starts_with(REDIRECT));
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    app.get(&format!("/v1/login-requests/{id}"))
        .await
        .assert_problem(409, "login_request_decided");
    app.get("/v1/login-requests/nope")
        .await
        .assert_problem(404, "login_request_not_found");
}

#[actix_web::test]
async fn a_code_works_once_for_its_client_and_verifier_and_a_replay_revokes_its_tokens() {
    let app = spawn_app().await;
    register(&app, spec("annuaire", false, None)).await;
    let secret = register(&app, spec("intranet", true, None))
        .await
        .expect("a secret");
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();
    let code = first_sign_in(&app, &mut browser, "annuaire", &access_token).await;

    let wrong_verifier = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &VERIFIER.replace('a', "b")),
            ("client_id", "annuaire"),
        ],
        None,
    )
    .await;
    assert_oauth_error(&wrong_verifier, 400, "invalid_grant");
    let first = exchange_code(&app, "annuaire", &code).await;
    assert_eq!(first.status.as_u16(), 200);
    let refresh = first.json()["refresh_token"]
        .as_str()
        .expect("present")
        .to_owned();
    let site_token = first.json()["access_token"]
        .as_str()
        .expect("present")
        .to_owned();
    assert_oauth_error(
        &exchange_code(&app, "annuaire", &code).await,
        400,
        "invalid_grant",
    );
    // The replay revoked what the first exchange gave.
    let refused = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "annuaire"),
        ],
        None,
    )
    .await;
    assert_oauth_error(&refused, 400, "invalid_grant");
    let info = app
        .send(
            app.authed(Method::GET, "/oauth2/userinfo", &site_token),
            None,
        )
        .await;
    assert_eq!(info.status.as_u16(), 401);

    // Client authentication: Basic and post for the confidential client, refusals otherwise.
    for (form_secret, basic) in [
        (None, Some(("intranet", secret.as_str()))),
        (Some(secret.as_str()), None),
    ] {
        let location_ = location(&browser.get(&app, &authorize_path("intranet", "")).await);
        let code = param(&location_, "code").expect("a code from the cookie");
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        if let Some(secret) = form_secret {
            form.push(("client_id", "intranet"));
            form.push(("client_secret", secret));
        }
        let ok = token_request(&app, &form, basic).await;
        assert_eq!(ok.status.as_u16(), 200, "{:?}", ok.json());
    }
    let bad = token_request(
        &app,
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        Some(("intranet", "guess")),
    )
    .await;
    assert_oauth_error(&bad, 401, "invalid_client");
    assert!(bad
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Basic")));
    let no_secret = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", "intranet"),
        ],
        None,
    )
    .await;
    assert_oauth_error(&no_secret, 401, "invalid_client");
    let implicit = token_request(
        &app,
        &[("grant_type", "password"), ("client_id", "annuaire")],
        None,
    )
    .await;
    assert_oauth_error(&implicit, 400, "unsupported_grant_type");
    let twice = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("grant_type", "refresh_token"),
        ],
        None,
    )
    .await;
    assert_oauth_error(&twice, 400, "invalid_request");
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_an_old_one_presented_again_revokes_the_grant() {
    let app = spawn_app().await;
    register(&app, spec("annuaire", false, None)).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();
    let code = first_sign_in(&app, &mut browser, "annuaire", &access_token).await;
    let first = exchange_code(&app, "annuaire", &code).await.json();
    let old = first["refresh_token"].as_str().expect("present").to_owned();
    let refresh = |token: String| {
        let app = &app;
        async move {
            token_request(
                app,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", "annuaire"),
                ],
                None,
            )
            .await
        }
    };
    let rotated = refresh(old.clone()).await;
    assert_eq!(rotated.status.as_u16(), 200);
    let rotated = rotated.json();
    let new = rotated["refresh_token"]
        .as_str()
        .expect("present")
        .to_owned();
    assert_ne!(new, old);
    let claims = verify_id_token(
        &app,
        rotated["id_token"].as_str().expect("present"),
        "annuaire",
    )
    .await;
    assert!(
        claims.get("nonce").is_none(),
        "a refreshed ID token has no nonce"
    );
    // Another client cannot use it.
    register(&app, spec("intranet-public", false, None)).await;
    let stolen = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &new),
            ("client_id", "intranet-public"),
        ],
        None,
    )
    .await;
    assert_oauth_error(&stolen, 400, "invalid_grant");
    // The old token again, after the grace of a concurrent retry: the grant is revoked.
    age_rotations(&app, 60);
    assert_oauth_error(&refresh(old).await, 400, "invalid_grant");
    assert_oauth_error(&refresh(new).await, 400, "invalid_grant");
}

fn age_rotations(app: &TestApp, seconds: i64) {
    use comptexpert::db::{self, schema::oidc_refresh_tokens};
    use diesel::prelude::*;
    let pool = db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let at = db::now() - chrono::Duration::seconds(seconds);
    diesel::update(
        oidc_refresh_tokens::table.filter(oidc_refresh_tokens::rotated_at.is_not_null()),
    )
    .set(oidc_refresh_tokens::rotated_at.eq(at))
    .execute(&mut conn)
    .expect("aged");
}

/// A relying party's back-channel logout endpoint: answers 503 to the first `failures`
/// deliveries, then 200, keeping each logout token it received.
struct Listener {
    uri: String,
    received: Arc<Mutex<Vec<String>>>,
}

fn listen(failures: usize) -> Listener {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let received = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(Mutex::new(0usize));
    let kept = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let server = HttpServer::new(move || {
        let kept = kept.clone();
        let calls = calls.clone();
        App::new().route(
            "/backchannel",
            web::post().to(move |form: web::Form<Vec<(String, String)>>| {
                let kept = kept.clone();
                let calls = calls.clone();
                async move {
                    let mut n = calls.lock().expect("the lock");
                    *n += 1;
                    if *n <= failures {
                        return HttpResponse::ServiceUnavailable().finish();
                    }
                    if let Some((_, token)) = form.iter().find(|(k, _)| k == "logout_token") {
                        kept.lock().expect("the lock").push(token.clone());
                    }
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .expect("listening")
    .run();
    actix_web::rt::spawn(server);
    Listener {
        uri: format!("http://127.0.0.1:{port}/backchannel"),
        received,
    }
}

async fn wait_for_tokens(listener: &Listener, count: usize) -> Vec<String> {
    for _ in 0..200 {
        let got = listener.received.lock().expect("the lock").clone();
        if got.len() >= count {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no back-channel logout notice arrived");
}

fn verify_logout_token(app: &TestApp, token: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).expect("a JWS");
    let keys = app.context.id_token_keys.as_ref().expect("keys");
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_audience(&["annuaire"]);
    validation.set_issuer(&[app.context.settings.issuer()]);
    let claims = jsonwebtoken::decode::<Value>(
        token,
        keys.decoding_key(&header.kid.expect("kid"))
            .expect("our key"),
        &validation,
    )
    .expect("a logout token of ours")
    .claims;
    assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(claims.get("nonce").is_none());
    assert!(claims["jti"].as_str().is_some());
    claims
}

#[actix_web::test]
async fn rp_initiated_logout_ends_the_sso_session_and_each_site_is_told_even_after_an_outage() {
    let app = spawn_app().await;
    let listener = listen(2);
    register(&app, spec("annuaire", false, Some(listener.uri.clone()))).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();
    let code = first_sign_in(&app, &mut browser, "annuaire", &access_token).await;
    let tokens = exchange_code(&app, "annuaire", &code).await.json();
    let id_token = tokens["id_token"].as_str().expect("present").to_owned();
    let sid = verify_id_token(&app, &id_token, "annuaire").await["sid"].clone();

    let unregistered = browser
        .get(
            &app,
            &format!(
                "/oauth2/logout?id_token_hint={id_token}&post_logout_redirect_uri={}",
                urlencode("https://attaquant.example/")
            ),
        )
        .await;
    unregistered.assert_problem(400, "redirect_uri_mismatch");
    browser
        .get(&app, "/oauth2/logout?id_token_hint=not.a.token")
        .await
        .assert_problem(400, "invalid_id_token_hint");
    // Nothing ended yet.
    assert_eq!(app.me(&access_token).await.status.as_u16(), 200);

    let out = browser
        .get(
            &app,
            &format!(
                "/oauth2/logout?id_token_hint={id_token}&post_logout_redirect_uri={}&state=bye",
                urlencode(AFTER_LOGOUT)
            ),
        )
        .await;
    let to = location(&out);
    assert_eq!(to, format!("{AFTER_LOGOUT}?state=bye"));
    assert!(out
        .header("set-cookie")
        .is_some_and(|c| c.contains("Max-Age=0")));
    // The SSO session was the front end's session: it is closed too, and the site's tokens.
    app.me(&access_token)
        .await
        .assert_problem(401, "token_revoked");
    let info = app
        .send(
            app.authed(
                Method::GET,
                "/oauth2/userinfo",
                tokens["access_token"].as_str().expect("present"),
            ),
            None,
        )
        .await;
    assert_eq!(info.status.as_u16(), 401);
    // The client answered 503 twice: the notice was retried until it got through.
    let received = wait_for_tokens(&listener, 1).await;
    let claims = verify_logout_token(&app, &received[0]);
    assert_eq!(claims["sid"], sid);
    assert_eq!(claims["sub"], account.id.as_str());
    // Its delivery is recorded once the client's answer is in.
    let mut notices = Vec::new();
    for _ in 0..100 {
        let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
        let mut conn = pool.get().expect("connection");
        notices =
            comptexpert::db::oidc::LogoutNotice::of_client(&mut conn, "annuaire").expect("notices");
        if notices.iter().all(|n| n.sent_at.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(notices.len(), 1);
    assert!(notices[0].sent_at.is_some());
    assert_eq!(notices[0].attempts, 2);
    // Signed out, the browser goes through the login page again.
    let again = location(&browser.get(&app, &authorize_path("annuaire", "")).await);
    assert!(
        again.starts_with("https://comptexpert.test/connexion"),
        "{again}"
    );
}

#[actix_web::test]
async fn signing_out_of_the_portal_or_a_password_change_ends_the_sites_sessions_too() {
    let app = spawn_app().await;
    let listener = listen(0);
    register(&app, spec("annuaire", false, Some(listener.uri.clone()))).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");

    // Sign-out of the front end's session (DELETE /v1/sessions/current).
    let (access_token, _) = app.signed_in(&account).await;
    let code = first_sign_in(&app, &mut Browser::default(), "annuaire", &access_token).await;
    let tokens = exchange_code(&app, "annuaire", &code).await.json();
    let signed_out = app
        .send(
            app.authed(Method::DELETE, "/v1/sessions/current", &access_token),
            None,
        )
        .await;
    assert_eq!(signed_out.status.as_u16(), 204);
    let first = wait_for_tokens(&listener, 1).await;
    verify_logout_token(&app, &first[0]);
    let refused = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                tokens["refresh_token"].as_str().expect("present"),
            ),
            ("client_id", "annuaire"),
        ],
        None,
    )
    .await;
    assert_oauth_error(&refused, 400, "invalid_grant");

    // A password change closes the other sessions: the site signed in through one is told.
    let (other, _) = app.signed_in(&account).await;
    let code = first_sign_in(&app, &mut Browser::default(), "annuaire", &other).await;
    assert_eq!(
        exchange_code(&app, "annuaire", &code).await.status.as_u16(),
        200
    );
    let (current, _) = app.signed_in(&account).await;
    let changed = app
        .send(
            app.authed(Method::PUT, "/v1/me/password", &current),
            Some(serde_json::json!({
                "current_password": "Rac-2026!",
                "new_password": "Autre-Mot-2027!",
                "new_password_confirmation": "Autre-Mot-2027!"
            })),
        )
        .await;
    assert!(changed.status.is_success(), "{:?}", changed.json());
    let both = wait_for_tokens(&listener, 2).await;
    verify_logout_token(&app, &both[1]);
}
