//! The CAS 3.0 server from outside, as a CASified site and its user's browser see it: the
//! headless `/cas/login` through the front end's login request, the SSO cookie shared with
//! OpenID Connect, ticket validation (1.0, 2.0, 3.0, XML and JSON), the spec's failure codes,
//! `renew` and `gateway`, and single logout reaching CAS services and OpenID Connect clients.

use std::sync::{Arc, Mutex};

use awc::http::Method;
use comptexpert::{cas::services::ServiceSpec, flows::clients};
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with, TestApp, TestResponse};

const SERVICE: &str = "https://intranet.example/cas/login?next=%2Fdossiers";
const OTHER_SERVICE: &str = "https://intranet.example/cas/autre";
const FORUM: &str = "https://forum.example/";

async fn register(app: &TestApp, id: &str, patterns: &[&str], logout_url: Option<String>) {
    clients::add_cas(
        &app.context,
        ServiceSpec {
            service_id: id.into(),
            name: "Intranet de l'Ordre".into(),
            patterns: patterns.iter().map(|p| (*p).to_owned()).collect(),
            attributes: ["firstName", "lastName", "email", "qualite", "regions"]
                .map(String::from)
                .to_vec(),
            logout_url,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("the service registers: {e}"));
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .expect("an absolute location")
        .query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// A browser: the cookies of this service it holds.
#[derive(Default)]
struct Browser {
    cookies: std::collections::BTreeMap<String, String>,
}

impl Browser {
    async fn get(&mut self, app: &TestApp, path_or_url: &str) -> TestResponse {
        let path = match path_or_url.strip_prefix("http://") {
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

fn login_path(service: &str, extra: &str) -> String {
    format!("/cas/login?service={}{extra}", urlencode(service))
}

/// The front end's part: reads the login request, accepts it with the user's session.
async fn accept(app: &TestApp, login_page: &str, access_token: &str) -> TestResponse {
    assert!(login_page.starts_with("https://comptexpert.test/connexion?login_request="));
    let id = param(login_page, "login_request").expect("login_request");
    let asked = app.get(&format!("/v1/login-requests/{id}")).await;
    assert_eq!(asked.status.as_u16(), 200);
    let asked = asked.json();
    assert_eq!(asked["protocol"], "cas");
    assert_eq!(asked["client_name"], "Intranet de l'Ordre");
    assert_eq!(
        asked["attributes"],
        serde_json::json!(["firstName", "lastName", "email", "qualite", "regions"])
    );
    app.send(
        app.authed(
            Method::POST,
            &format!("/v1/login-requests/{id}/accept"),
            access_token,
        ),
        None,
    )
    .await
}

/// `/cas/login` → login page → accept → resume: the ticket the service receives.
async fn first_ticket(
    app: &TestApp,
    browser: &mut Browser,
    service: &str,
    access_token: &str,
) -> String {
    let login_page = location(&browser.get(app, &login_path(service, "")).await);
    let accepted = accept(app, &login_page, access_token).await;
    assert_eq!(accepted.status.as_u16(), 200, "{:?}", accepted.json());
    let resume = accepted.json()["redirect_to"]
        .as_str()
        .expect("redirect_to")
        .to_owned();
    let back = location(&browser.get(app, &resume).await);
    assert!(
        browser.cookies.contains_key("__Host-comptexpert-sso"),
        "the SSO cookie is set"
    );
    assert!(back.starts_with(service), "{back}");
    // The service's own query is kept, the ticket appended.
    assert_eq!(param(&back, "next").as_deref(), Some("/dossiers"));
    param(&back, "ticket").expect("a ticket")
}

async fn validate(app: &TestApp, endpoint: &str, service: &str, ticket: &str) -> TestResponse {
    app.get(&format!(
        "/cas/{endpoint}?service={}&ticket={}",
        urlencode(service),
        urlencode(ticket)
    ))
    .await
}

fn text(response: &TestResponse) -> String {
    String::from_utf8(response.body.clone()).expect("UTF-8")
}

/// The failure code of an XML validation response.
fn failure_code(response: &TestResponse) -> String {
    assert_eq!(response.status.as_u16(), 200);
    let body = text(response);
    let start = body
        .find("<cas:authenticationFailure code=\"")
        .unwrap_or_else(|| panic!("a failure: {body}"))
        + "<cas:authenticationFailure code=\"".len();
    body[start..start + body[start..].find('"').expect("closing quote")].to_owned()
}

#[actix_web::test]
async fn a_service_signs_a_user_in_headlessly_and_validates_the_ticket_with_its_attributes() {
    let app = spawn_app().await;
    register(&app, "intranet", &["https://intranet.example/cas/*"], None).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();
    let ticket = first_ticket(&app, &mut browser, SERVICE, &access_token).await;
    assert!(
        ticket.starts_with("ST-") && ticket.len() >= 3 + 22,
        "{ticket}"
    );

    let validated = validate(&app, "p3/serviceValidate", SERVICE, &ticket).await;
    assert_eq!(validated.status.as_u16(), 200);
    assert!(validated
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/xml")));
    assert_eq!(
        validated.header("cache-control").as_deref(),
        Some("no-store")
    );
    let body = text(&validated);
    assert!(body.starts_with("<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">"));
    assert!(body.contains("<cas:user>j.martin</cas:user>"), "{body}");
    assert!(
        body.contains("<cas:email>jeanne@cabinet.fr</cas:email>"),
        "{body}"
    );
    assert!(body.contains("<cas:isFromNewLogin>true</cas:isFromNewLogin>"));
    assert!(body.contains(
        "<cas:longTermAuthenticationRequestTokenUsed>false</cas:longTermAuthenticationRequestTokenUsed>"
    ));
    assert!(body.contains("<cas:authenticationDate>"));
    // Only what the service may receive.
    assert!(
        !body.contains("displayName") && !body.contains("supraNumber"),
        "{body}"
    );

    // A ticket is single use.
    let replayed = validate(&app, "p3/serviceValidate", SERVICE, &ticket).await;
    assert_eq!(failure_code(&replayed), "INVALID_TICKET");

    // The same browser reaches another URL of the service without signing in again.
    let again = location(&browser.get(&app, &login_path(OTHER_SERVICE, "")).await);
    assert!(again.starts_with(OTHER_SERVICE), "{again}");
    let second = param(&again, "ticket").expect("a ticket at once");
    let json = app
        .get(&format!(
            "/cas/serviceValidate?service={}&ticket={second}&format=JSON",
            urlencode(OTHER_SERVICE)
        ))
        .await
        .json();
    let success = &json["serviceResponse"]["authenticationSuccess"];
    assert_eq!(success["user"], "j.martin");
    assert_eq!(success["attributes"]["isFromNewLogin"], false);
    assert!(success["attributes"]["firstName"].is_string());
    assert_eq!(success["attributes"]["email"], "jeanne@cabinet.fr");
    assert!(success["attributes"]["regions"].is_array());

    // CAS 1.0: yes and the identifier, no attributes.
    let third = param(
        &location(&browser.get(&app, &login_path(SERVICE, "")).await),
        "ticket",
    )
    .expect("a ticket");
    assert_eq!(
        text(&validate(&app, "validate", SERVICE, &third).await),
        "yes\nj.martin\n"
    );
    assert_eq!(
        text(&validate(&app, "validate", SERVICE, &third).await),
        "no\n\n"
    );
}

#[actix_web::test]
async fn tickets_are_bound_to_their_service_and_expire_and_the_spec_codes_say_why() {
    // The default lifetime here: a loaded machine may take more than a second between issuing
    // and presenting a ticket, and only the expiry below is about time.
    let app = spawn_app().await;
    register(&app, "intranet", &["https://intranet.example/cas/*"], None).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();
    let ticket = first_ticket(&app, &mut browser, SERVICE, &access_token).await;

    // Presented for another service: refused, and void from then on.
    let elsewhere = validate(&app, "serviceValidate", OTHER_SERVICE, &ticket).await;
    assert_eq!(failure_code(&elsewhere), "INVALID_SERVICE");
    let then = validate(&app, "serviceValidate", SERVICE, &ticket).await;
    assert_eq!(failure_code(&then), "INVALID_TICKET");

    // Expired after its lifetime, on an instance whose tickets live one second.
    let short = spawn_app_with(|s| s.cas_ticket_lifetime = chrono::Duration::seconds(1)).await;
    register(
        &short,
        "intranet",
        &["https://intranet.example/cas/*"],
        None,
    )
    .await;
    let account = short.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (short_token, _) = short.signed_in(&account).await;
    let late = first_ticket(&short, &mut Browser::default(), SERVICE, &short_token).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        failure_code(&validate(&short, "p3/serviceValidate", SERVICE, &late).await),
        "INVALID_TICKET"
    );

    for (path, code) in [
        ("/cas/serviceValidate", "INVALID_REQUEST"),
        ("/cas/p3/serviceValidate?ticket=ST-x", "INVALID_REQUEST"),
        (
            "/cas/p3/serviceValidate?service=https%3A%2F%2Fintranet.example%2Fcas%2F&ticket=PT-1",
            "INVALID_TICKET",
        ),
        (
            "/cas/p3/proxyValidate?service=https%3A%2F%2Fintranet.example%2Fcas%2F&ticket=ST-forged",
            "INVALID_TICKET",
        ),
    ] {
        assert_eq!(failure_code(&app.get(path).await), code, "{path}");
    }
    let json = app.get("/cas/p3/serviceValidate?format=JSON").await.json();
    assert_eq!(
        json["serviceResponse"]["authenticationFailure"]["code"],
        "INVALID_REQUEST"
    );

    // No proxy tickets here: /cas/proxy always fails, as the spec says.
    let proxy = text(&app.get("/cas/proxy?pgt=PGT-1&targetService=x").await);
    assert!(
        proxy.contains("<cas:proxyFailure code=\"BAD_PGT\">"),
        "{proxy}"
    );
    let proxy = text(&app.get("/cas/proxy").await);
    assert!(proxy.contains("code=\"INVALID_REQUEST\""), "{proxy}");

    // Tickets, used or expired, are purged a day after they expired.
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let purged = comptexpert::db::retention::purge(
        &mut conn,
        comptexpert::db::now() + chrono::Duration::days(2),
        &comptexpert::db::retention::Retention::DEFAULT,
    )
    .expect("purged");
    assert_eq!(purged.cas_tickets, 1);
}

#[actix_web::test]
async fn renew_forces_a_new_sign_in_and_gateway_comes_back_without_a_ticket() {
    let app = spawn_app().await;
    register(&app, "intranet", &["https://intranet.example/cas/*"], None).await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");

    // Nobody signed in: gateway returns to the service with no ticket and no login page.
    let mut stranger = Browser::default();
    let back = location(
        &stranger
            .get(&app, &login_path(SERVICE, "&gateway=true"))
            .await,
    );
    assert_eq!(back, SERVICE);

    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();
    let first = first_ticket(&app, &mut browser, SERVICE, &access_token).await;
    assert!(!first.is_empty());
    // With an SSO session, a ticket from it does not satisfy a renew validation.
    let from_sso = param(
        &location(
            &browser
                .get(&app, &login_path(SERVICE, "&gateway=true"))
                .await,
        ),
        "ticket",
    )
    .expect("gateway with a session gives a ticket");
    let renewed = app
        .get(&format!(
            "/cas/p3/serviceValidate?service={}&ticket={from_sso}&renew=true",
            urlencode(SERVICE)
        ))
        .await;
    assert_eq!(failure_code(&renewed), "INVALID_TICKET_SPEC");

    // renew=true bypasses the SSO cookie: the login page, and only a new sign-in accepts it.
    let login_page = location(&browser.get(&app, &login_path(SERVICE, "&renew=true")).await);
    let id = param(&login_page, "login_request").expect("a login request");
    assert_eq!(
        app.get(&format!("/v1/login-requests/{id}")).await.json()["sign_in_required"],
        true
    );
    accept(&app, &login_page, &access_token)
        .await
        .assert_problem(403, "fresh_sign_in_required");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (fresh, _) = app.signed_in(&account).await;
    let accepted = accept(&app, &login_page, &fresh).await;
    let resume = accepted.json()["redirect_to"]
        .as_str()
        .expect("redirect_to")
        .to_owned();
    let ticket = param(&location(&browser.get(&app, &resume).await), "ticket").expect("ticket");
    let renewed = app
        .get(&format!(
            "/cas/p3/serviceValidate?service={}&ticket={ticket}&renew=true",
            urlencode(SERVICE)
        ))
        .await;
    assert!(text(&renewed).contains("<cas:user>j.martin</cas:user>"));

    // A rejected request goes back to the service without a ticket.
    let login_page = location(&Browser::default().get(&app, &login_path(SERVICE, "")).await);
    let id = param(&login_page, "login_request").expect("a login request");
    let rejected = app
        .send(
            app.request(Method::POST, &format!("/v1/login-requests/{id}/reject")),
            None,
        )
        .await;
    assert_eq!(rejected.json()["redirect_to"], SERVICE);
}

#[actix_web::test]
async fn services_not_registered_are_refused_without_a_redirect() {
    let app = spawn_app().await;
    register(&app, "intranet", &["https://intranet.example/cas/*"], None).await;
    for service in [
        "https://attaquant.example/cas/",
        "https://intranet.example/cas",
        "https://intranet.example/cas/../admin",
        "https://intranet.example.attaquant.example/cas/",
        "http://intranet.example/cas/",
        "javascript:alert(1)",
    ] {
        let refused = Browser::default().get(&app, &login_path(service, "")).await;
        refused.assert_problem(400, "cas_service_unknown");
        assert!(refused.header("location").is_none());
    }
    // English on request, as every problem.
    let english = app
        .get_in(&login_path("https://attaquant.example/", ""), "en")
        .await;
    assert_eq!(english.json()["title"], "Unknown site");
    // Without a service: the front end's login page.
    let plain = location(&Browser::default().get(&app, "/cas/login").await);
    assert_eq!(plain, "https://comptexpert.test/connexion");
}

/// A form POSTed to the listener, with the path it was POSTed to.
type Received = (String, Vec<(String, String)>);

/// A service's single-logout endpoint, or a relying party's back-channel one: keeps every
/// form it receives.
struct Listener {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

fn listen() -> Listener {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let server = HttpServer::new(move || {
        let kept = kept.clone();
        App::new().default_service(web::post().to(
            move |req: HttpRequest, form: web::Form<Vec<(String, String)>>| {
                let kept = kept.clone();
                async move {
                    kept.lock()
                        .expect("the lock")
                        .push((req.path().to_owned(), form.into_inner()));
                    HttpResponse::Ok().finish()
                }
            },
        ))
    })
    .workers(1)
    .listen(listener)
    .expect("listening")
    .run();
    actix_web::rt::spawn(server);
    Listener {
        base: format!("http://127.0.0.1:{port}"),
        received,
    }
}

async fn wait_for(listener: &Listener, count: usize) -> Vec<Received> {
    for _ in 0..200 {
        let got = listener.received.lock().expect("the lock").clone();
        if got.len() >= count {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no logout notice arrived");
}

#[actix_web::test]
async fn one_cas_logout_ends_the_cas_services_and_the_openid_connect_clients_of_the_session() {
    let app = spawn_app().await;
    let listener = listen();
    register(
        &app,
        "intranet",
        &["https://intranet.example/cas/*"],
        Some(format!("{}/cas-slo", listener.base)),
    )
    .await;
    register(&app, "forum", &[FORUM], None).await;
    let secret = clients::add(
        &app.context,
        comptexpert::oidc::clients::ClientSpec {
            client_id: "annuaire".into(),
            name: "Annuaire".into(),
            confidential: true,
            redirect_uris: vec!["https://annuaire.example/callback".into()],
            post_logout_redirect_uris: vec![],
            scopes: vec!["openid".into()],
            backchannel_logout_uri: Some(format!("{}/backchannel", listener.base)),
            id_token_alg: "RS256".into(),
            access_token_seconds: 900,
            refresh_token_seconds: 3600,
        },
    )
    .await
    .unwrap_or_else(|_| panic!("the client registers"))
    .secret
    .expect("a confidential client's secret");
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access_token, _) = app.signed_in(&account).await;
    let mut browser = Browser::default();
    let ticket = first_ticket(&app, &mut browser, SERVICE, &access_token).await;
    let validated = validate(&app, "p3/serviceValidate", SERVICE, &ticket).await;
    assert!(text(&validated).contains("<cas:user>j.martin</cas:user>"));
    // The same SSO session signs the user in to an OpenID Connect site at once.
    let to_client = location(
        &browser
            .get(
                &app,
                "/oauth2/authorize?response_type=code&client_id=annuaire&redirect_uri=https%3A%2F%2Fannuaire.example%2Fcallback&scope=openid",
            )
            .await,
    );
    let code = param(&to_client, "code").expect("a code from the SSO cookie");
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "https://annuaire.example/callback"),
            ("client_id", "annuaire"),
            ("client_secret", secret.as_str()),
        ])
        .finish();
    let mut exchanged = app
        .request(Method::POST, "/oauth2/token")
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .send_body(body)
        .await
        .expect("the token request reaches the server");
    assert_eq!(exchanged.status().as_u16(), 200);
    let tokens: Value = exchanged.json().await.expect("tokens");
    assert!(tokens["id_token"].is_string());

    // Nothing is sent while the session lives.
    assert!(listener.received.lock().expect("the lock").is_empty());
    let out = browser
        .get(&app, &format!("/cas/logout?service={}", urlencode(FORUM)))
        .await;
    assert_eq!(location(&out), FORUM);
    assert!(!browser.cookies.contains_key("__Host-comptexpert-sso"));
    app.me(&access_token)
        .await
        .assert_problem(401, "token_revoked");

    let got = wait_for(&listener, 2).await;
    let (_, backchannel) = got
        .iter()
        .find(|(path, _)| path == "/backchannel")
        .expect("the OpenID Connect back-channel logout");
    assert!(backchannel.iter().any(|(k, _)| k == "logout_token"));
    let (path, form) = got
        .iter()
        .find(|(path, _)| path == "/cas-slo")
        .expect("the SAML LogoutRequest");
    assert_eq!(path, "/cas-slo");
    let saml = &form
        .iter()
        .find(|(k, _)| k == "logoutRequest")
        .expect("logoutRequest")
        .1;
    assert!(saml.starts_with("<samlp:LogoutRequest"), "{saml}");
    assert!(
        saml.contains(&format!(
            "<samlp:SessionIndex>{ticket}</samlp:SessionIndex>"
        )),
        "{saml}"
    );
    // An unregistered address after logout is not followed.
    let mut other = Browser::default();
    let elsewhere = other
        .get(
            &app,
            "/cas/logout?service=https%3A%2F%2Fattaquant.example%2F",
        )
        .await;
    assert_eq!(location(&elsewhere), "https://comptexpert.test/");
    // Signed out, the service's next visit goes through the login page.
    let again = location(&browser.get(&app, &login_path(SERVICE, "")).await);
    assert!(
        again.starts_with("https://comptexpert.test/connexion"),
        "{again}"
    );
    // Exactly one notice each: the forum never validated a ticket of this session.
    assert_eq!(listener.received.lock().expect("the lock").len(), 2);

    // Delivered notices and spent tickets leave with the retention task, 30 days on.
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let mut notices = Vec::new();
    for _ in 0..100 {
        notices = comptexpert::db::cas::CasLogoutNotice::of_service(&mut conn, "intranet")
            .expect("notices");
        if notices.iter().all(|n| n.sent_at.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(notices.len(), 1);
    assert!(notices[0].sent_at.is_some());
    let later = comptexpert::db::now() + chrono::Duration::days(31);
    let purged = comptexpert::db::retention::purge(
        &mut conn,
        later,
        &comptexpert::db::retention::Retention::DEFAULT,
    )
    .expect("purged");
    assert_eq!(purged.outbox_cas_logouts, 1);
    // The tickets went with their ended sessions, before their own rule came to them.
    use diesel::prelude::*;
    let left: i64 = comptexpert::db::schema::cas_tickets::table
        .count()
        .get_result(&mut *conn)
        .expect("a count");
    assert_eq!((purged.cas_tickets, left), (0, 0));
}
