//! The staff side from outside: roles granted by the operator and by an administrator, the
//! step-up, the 404 outside one's role, the support desk's work on an account (a reset email
//! that bounced, the address corrected, the link sent again), and the append-only audit log
//! with its CSV export for French spreadsheets.

use awc::http::Method;
use comptexpert::{domain::states::StaffRoleKind, flows::staff::roles};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, TestResponse};

async fn grant(app: &TestApp, identifier: &str, role: StaffRoleKind) {
    roles::grant_by_operator(&app.context, identifier.into(), role, None)
        .await
        .unwrap_or_else(|_| panic!("the operator grants {identifier}"));
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> TestResponse {
    app.send(app.authed(method, path, token), body).await
}

fn connection(app: &TestApp) -> comptexpert::db::PooledConnection {
    comptexpert::db::build_pool(&app.database_url)
        .expect("pool")
        .get()
        .expect("connection")
}

fn audit_of(app: &TestApp, account_id: &str) -> Vec<comptexpert::db::staff::AuditRecord> {
    comptexpert::db::staff::AuditRecord::of_target(&mut connection(app), "account", account_id)
        .expect("records")
}

#[actix_web::test]
async fn only_staff_of_the_right_role_and_a_recent_sign_in_reach_the_staff_endpoints() {
    let app = spawn_app().await;
    let member = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let agent = app.add_active_account("s.agent", "Support-2026!", "agent@ordre.fr");
    let admin = app.add_active_account("a.admin", "Admin-2026!", "admin@ordre.fr");
    grant(&app, "s.agent", StaffRoleKind::Support).await;
    grant(&app, "a.admin", StaffRoleKind::Administrator).await;
    let (member_token, _) = app.signed_in(&member).await;
    let (agent_token, _) = app.signed_in(&agent).await;
    let (admin_token, _) = app.signed_in(&admin).await;

    // Not staff: the endpoints do not exist for them; the caller's own roles are empty.
    let path = format!("/v1/staff/accounts/{}", member.id);
    call(&app, Method::GET, &path, &member_token, None)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        call(&app, Method::GET, "/v1/staff/me", &member_token, None)
            .await
            .json()["items"],
        json!([])
    );
    // Support does not administer, an administrator does not do the support desk's work.
    call(&app, Method::GET, "/v1/staff/roles", &agent_token, None)
        .await
        .assert_problem(404, "not_found");
    call(&app, Method::GET, &path, &admin_token, None)
        .await
        .assert_problem(404, "not_found");
    let mine = call(&app, Method::GET, "/v1/staff/me", &agent_token, None)
        .await
        .json();
    assert_eq!(mine["items"][0]["role"], "support");

    // A sign-in older than 15 minutes must be confirmed again.
    {
        use comptexpert::db::schema::sessions;
        let mut conn = connection(&app);
        diesel::update(sessions::table.filter(sessions::account_id.eq(&agent.id)))
            .set(sessions::created_at.eq(comptexpert::db::now() - chrono::Duration::minutes(16)))
            .execute(&mut *conn)
            .expect("aged");
    }
    call(&app, Method::GET, &path, &agent_token, None)
        .await
        .assert_problem(403, "step_up_required");
    call(
        &app,
        Method::POST,
        "/v1/staff/step-up",
        &agent_token,
        Some(json!({"password": "wrong"})),
    )
    .await
    .assert_problem(403, "current_password_incorrect");
    let stepped = call(
        &app,
        Method::POST,
        "/v1/staff/step-up",
        &agent_token,
        Some(json!({"password": "Support-2026!"})),
    )
    .await;
    assert_eq!(stepped.status.as_u16(), 204);
    let state = call(&app, Method::GET, &path, &agent_token, None).await;
    assert_eq!(state.status.as_u16(), 200, "{:?}", state.json());
    assert_eq!(state.json()["account"]["identifier"], "j.martin");
    assert_eq!(state.json()["methods"]["password"], true);
    // Reading an account is one audit record, and shown to its owner.
    let records = audit_of(&app, &member.id);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].action, "account.viewed");
    assert_eq!(records[0].actor_identifier, "s.agent");
    assert_eq!(records[0].actor_role, "support");
    let history = app
        .send(
            app.authed(Method::GET, "/v1/me/security-events", &member_token),
            None,
        )
        .await
        .json();
    assert_eq!(history["items"][0]["kind"], "viewed_by_support");

    // The administrator grants and revokes roles through the API, each audited.
    call(
        &app,
        Method::POST,
        "/v1/staff/roles",
        &admin_token,
        Some(json!({"identifier": "j.martin", "role": "council", "region_code": "ZZZ"})),
    )
    .await
    .assert_problem(404, "region_not_found");
    call(
        &app,
        Method::POST,
        "/v1/staff/roles",
        &admin_token,
        Some(json!({"identifier": "j.martin", "role": "support", "region_code": "IDF"})),
    )
    .await
    .assert_problem(422, "validation_failed");
    let support = call(
        &app,
        Method::POST,
        "/v1/staff/roles",
        &admin_token,
        Some(json!({"identifier": "j.martin", "role": "support"})),
    )
    .await;
    assert_eq!(support.status.as_u16(), 201);
    let again = call(
        &app,
        Method::POST,
        "/v1/staff/roles",
        &admin_token,
        Some(json!({"identifier": "j.martin", "role": "support"})),
    )
    .await;
    assert_eq!(again.status.as_u16(), 200);
    let role_id = support.json()["id"].as_str().expect("id").to_owned();
    // The new support member may act at once (a fresh sign-in).
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/v1/staff/accounts?q=s.agent",
            &member_token,
            None
        )
        .await
        .status
        .as_u16(),
        200
    );
    let revoked = call(
        &app,
        Method::DELETE,
        &format!("/v1/staff/roles/{role_id}"),
        &admin_token,
        None,
    )
    .await;
    assert_eq!(revoked.status.as_u16(), 204);
    call(
        &app,
        Method::GET,
        "/v1/staff/accounts?q=s.agent",
        &member_token,
        None,
    )
    .await
    .assert_problem(404, "not_found");
    let roles = comptexpert::db::staff::AuditRecord::of_target(
        &mut connection(&app),
        "staff_role",
        &role_id,
    )
    .expect("records");
    assert_eq!(
        roles.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        ["role.granted", "role.revoked"]
    );
    assert!(roles[1]
        .before_value
        .as_deref()
        .is_some_and(|b| b.contains("\"support\"")));
}

#[actix_web::test]
async fn support_corrects_a_bounced_address_resends_the_link_and_the_audit_log_keeps_it_all() {
    let app = spawn_app().await;
    let member = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabnet.fr");
    let agent = app.add_active_account("s.agent", "Support-2026!", "agent@ordre.fr");
    let admin = app.add_active_account("a.admin", "Admin-2026!", "admin@ordre.fr");
    grant(&app, "s.agent", StaffRoleKind::Support).await;
    grant(&app, "a.admin", StaffRoleKind::Administrator).await;
    let (agent_token, _) = app.signed_in(&agent).await;
    let (admin_token, _) = app.signed_in(&admin).await;
    let account = format!("/v1/staff/accounts/{}", member.id);

    // The member's reset email is queued to a mistyped address.
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("{account}/reset-link"),
            &agent_token,
            None
        )
        .await
        .status
        .as_u16(),
        204
    );
    let found = call(
        &app,
        Method::GET,
        "/v1/staff/accounts?q=jeanne@cabnet.fr",
        &agent_token,
        None,
    )
    .await
    .json();
    assert_eq!(found["items"][0]["id"], member.id.as_str());
    let emails = call(
        &app,
        Method::GET,
        &format!("{account}/emails"),
        &agent_token,
        None,
    )
    .await
    .json();
    let first = &emails["items"][0];
    assert_eq!(first["kind"], "password_reset");
    assert_eq!(first["recipient"], "jeanne@cabnet.fr");
    assert!(first.get("text_body").is_none() && first.get("html_body").is_none());
    assert!(matches!(
        first["status"].as_str(),
        Some("sent" | "retrying" | "dead")
    ));

    // The member's profile, read (and kept a moment) before the correction.
    let (member_token, _) = app.signed_in(&member).await;
    assert_eq!(
        app.me(&member_token).await.json()["email"],
        "jeanne@cabnet.fr"
    );

    // Corrected: both addresses told, the link sent again to the right one.
    let corrected = call(
        &app,
        Method::PUT,
        &format!("{account}/email"),
        &agent_token,
        Some(json!({"email": "jeanne@cabinet.fr"})),
    )
    .await;
    assert_eq!(corrected.status.as_u16(), 200, "{:?}", corrected.json());
    assert_eq!(corrected.json()["email"], "jeanne@cabinet.fr");
    // The profile shows the new address at once, and the same address again corrects nothing.
    assert_eq!(
        app.me(&member_token).await.json()["email"],
        "jeanne@cabinet.fr"
    );
    let same = call(
        &app,
        Method::PUT,
        &format!("{account}/email"),
        &agent_token,
        Some(json!({"email": "jeanne@cabinet.fr"})),
    )
    .await;
    let problem = same.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "unchanged", "{problem}");
    let out = app
        .send(
            app.authed(Method::DELETE, "/v1/sessions/current", &member_token),
            None,
        )
        .await;
    assert_eq!(out.status.as_u16(), 204);
    call(
        &app,
        Method::PUT,
        &format!("{account}/email"),
        &agent_token,
        Some(json!({"email": "pas une adresse"})),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("{account}/reset-link"),
            &agent_token,
            None
        )
        .await
        .status
        .as_u16(),
        204
    );
    call(
        &app,
        Method::POST,
        &format!("{account}/activation-link"),
        &agent_token,
        None,
    )
    .await
    .assert_problem(409, "account_already_active");
    assert_eq!(
        app.outbox_rows_to("jeanne@cabnet.fr").len(),
        2,
        "the old address: the reset, then the notice"
    );
    let to_new = app.outbox_rows_to("jeanne@cabinet.fr");
    assert_eq!(
        to_new.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["security_notice", "password_reset"]
    );
    // The support still sees the email to the old address beside the new ones.
    let emails = call(
        &app,
        Method::GET,
        &format!("{account}/emails"),
        &agent_token,
        None,
    )
    .await
    .json();
    assert_eq!(emails["items"].as_array().expect("items").len(), 4);
    let unlocked = call(
        &app,
        Method::POST,
        &format!("{account}/unlock"),
        &agent_token,
        None,
    )
    .await;
    assert_eq!(unlocked.status.as_u16(), 204);
    let (_, _) = app.signed_in(&member).await;
    let closed = call(
        &app,
        Method::DELETE,
        &format!("{account}/sessions"),
        &agent_token,
        None,
    )
    .await
    .json();
    assert_eq!(closed["revoked"], 1);

    // Exactly one record per action, with the values before and after.
    let records = audit_of(&app, &member.id);
    let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account.reset_link_sent",
            "account.email_corrected",
            "account.reset_link_sent",
            "account.sign_in_unlocked",
            "account.sessions_revoked",
        ]
    );
    let correction = &records[1];
    assert_eq!(
        correction.before_value.as_deref(),
        Some(r#"{"email":"jeanne@cabnet.fr"}"#)
    );
    assert_eq!(
        correction.after_value.as_deref(),
        Some(r#"{"email":"jeanne@cabinet.fr"}"#)
    );
    assert!(correction.request_id.is_some() && correction.client_address.is_some());
    let owner = app
        .send(
            app.authed(
                Method::GET,
                "/v1/me/security-events",
                &app.signed_in(&member).await.0,
            ),
            None,
        )
        .await
        .json();
    let kinds: Vec<&str> = owner["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"email_corrected_by_support")
            && kinds.contains(&"reset_link_sent_by_support")
    );

    // No one changes or deletes a record, not even with a database connection.
    {
        use comptexpert::db::schema::audit_log;
        let mut conn = connection(&app);
        assert!(diesel::update(audit_log::table)
            .set(audit_log::action.eq("x"))
            .execute(&mut *conn)
            .is_err());
        assert!(diesel::delete(audit_log::table)
            .execute(&mut *conn)
            .is_err());
    }

    // The administrator reads it and exports it for a French spreadsheet.
    let page = call(
        &app,
        Method::GET,
        &format!("/v1/staff/audit-log?target_id={}", member.id),
        &admin_token,
        None,
    )
    .await
    .json();
    assert_eq!(page["items"].as_array().expect("items").len(), 5);
    assert_eq!(
        page["items"][3]["before"],
        json!({"email": "jeanne@cabnet.fr"})
    );
    let csv = call(
        &app,
        Method::GET,
        &format!("/v1/staff/audit-log/export?target_id={}", member.id),
        &admin_token,
        None,
    )
    .await;
    assert!(csv
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/csv")));
    let text = String::from_utf8(csv.body.clone()).expect("UTF-8");
    let text = text
        .strip_prefix('\u{FEFF}')
        .expect("a BOM, so that Excel reads UTF-8");
    let rows = parse_semicolon_csv(text);
    assert_eq!(rows[0][0], "id");
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.len() == 12), "{rows:?}");
    assert_eq!(rows[4][5], "account.email_corrected");
    assert_eq!(rows[4][8], r#"{"email":"jeanne@cabnet.fr"}"#);
}

/// Reads CSV as a French spreadsheet does: `;` between fields, `"` quoting, `""` inside.
fn parse_semicolon_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ';') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[actix_web::test]
async fn an_administrator_registers_changes_and_removes_the_sites_of_single_sign_on() {
    let app = spawn_app().await;
    let admin = app.add_active_account("a.admin", "Admin-2026!", "admin@ordre.fr");
    let agent = app.add_active_account("s.agent", "Support-2026!", "agent@ordre.fr");
    grant(&app, "a.admin", StaffRoleKind::Administrator).await;
    grant(&app, "s.agent", StaffRoleKind::Support).await;
    let (admin_token, _) = app.signed_in(&admin).await;
    let (agent_token, _) = app.signed_in(&agent).await;
    let records = |app: &TestApp| {
        comptexpert::db::staff::AuditRecord::page(&mut connection(app), &Default::default(), 1000)
            .expect("records")
    };

    let client = json!({
        "client_id": "annuaire",
        "name": "Annuaire de l'Ordre",
        "redirect_uris": ["https://annuaire.example/callback"],
    });
    call(
        &app,
        Method::POST,
        "/v1/staff/clients",
        &agent_token,
        Some(client.clone()),
    )
    .await
    .assert_problem(404, "not_found");
    let created = call(
        &app,
        Method::POST,
        "/v1/staff/clients",
        &admin_token,
        Some(client.clone()),
    )
    .await;
    assert_eq!(created.status.as_u16(), 201, "{:?}", created.json());
    let secret = created.json()["client_secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    assert_eq!(
        created.json()["scopes"],
        json!(["email", "openid", "profile"])
    );
    call(
        &app,
        Method::POST,
        "/v1/staff/clients",
        &admin_token,
        Some(client),
    )
    .await
    .assert_problem(409, "client_id_taken");
    call(
        &app,
        Method::POST,
        "/v1/staff/clients",
        &admin_token,
        Some(json!({"client_id": "forum", "name": "Forum", "redirect_uris": ["http://forum.example/cb"]})),
    )
    .await
    .assert_problem(422, "validation_failed");
    let logged = records(&app);
    assert_eq!(logged.len(), 1, "one record for the one registration");
    assert_eq!(logged[0].action, "client.registered");
    assert!(!logged[0]
        .after_value
        .as_deref()
        .unwrap_or_default()
        .contains(&secret));

    // The secret works at the token endpoint until it is renewed.
    let update = json!({
        "name": "Annuaire des experts-comptables",
        "redirect_uris": ["https://annuaire.example/callback"],
        "new_secret": true,
    });
    let updated = call(
        &app,
        Method::PUT,
        "/v1/staff/clients/annuaire",
        &admin_token,
        Some(update),
    )
    .await;
    assert_eq!(updated.status.as_u16(), 200, "{:?}", updated.json());
    let renewed = updated.json()["client_secret"]
        .as_str()
        .expect("a new secret")
        .to_owned();
    assert_ne!(renewed, secret);
    let stored =
        comptexpert::db::oauth_clients::OAuthClient::find(&mut connection(&app), "annuaire")
            .expect("read")
            .expect("stored");
    assert_eq!(stored.name, "Annuaire des experts-comptables");
    assert!(comptexpert::oidc::clients::secret_matches(
        &stored, &renewed
    ));
    assert!(!comptexpert::oidc::clients::secret_matches(
        &stored, &secret
    ));
    let logged = records(&app);
    assert_eq!(logged[0].action, "client.updated");
    assert!(logged[0]
        .before_value
        .as_deref()
        .unwrap_or_default()
        .contains("Annuaire de l'Ordre"));

    // A CAS service beside it, in the same namespace.
    let service = json!({
        "service_id": "annuaire",
        "name": "Intranet",
        "patterns": ["https://intranet.example/cas/*"],
    });
    call(
        &app,
        Method::POST,
        "/v1/staff/cas-services",
        &admin_token,
        Some(service),
    )
    .await
    .assert_problem(409, "client_id_taken");
    let created = call(
        &app,
        Method::POST,
        "/v1/staff/cas-services",
        &admin_token,
        Some(json!({"service_id": "intranet", "name": "Intranet", "patterns": ["https://intranet.example/*x"]})),
    )
    .await;
    created.assert_problem(422, "validation_failed");
    let created = call(
        &app,
        Method::POST,
        "/v1/staff/cas-services",
        &admin_token,
        Some(json!({"service_id": "intranet", "name": "Intranet", "patterns": ["https://intranet.example/cas/*"]})),
    )
    .await;
    assert_eq!(created.status.as_u16(), 201, "{:?}", created.json());
    let changed = call(
        &app,
        Method::PUT,
        "/v1/staff/cas-services/intranet",
        &admin_token,
        Some(json!({"name": "Intranet", "patterns": ["https://intranet.example/cas/*"], "attributes": ["email", "supraNumber"]})),
    )
    .await;
    assert_eq!(
        changed.json()["attributes"],
        json!(["email", "supraNumber"])
    );
    let listed = call(&app, Method::GET, "/v1/staff/clients", &admin_token, None)
        .await
        .json();
    assert_eq!(listed["clients"][0]["client_id"], "annuaire");
    assert_eq!(listed["clients"][0]["client_secret"], Value::Null);
    assert_eq!(listed["cas_services"][0]["service_id"], "intranet");

    for id in ["annuaire", "intranet"] {
        let path = format!("/v1/staff/clients/{id}");
        let removed = call(&app, Method::DELETE, &path, &admin_token, None).await;
        assert_eq!(removed.status.as_u16(), 204);
        call(&app, Method::DELETE, &path, &admin_token, None)
            .await
            .assert_problem(404, "not_found");
    }
    let actions: Vec<String> = records(&app).into_iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            "cas_service.removed",
            "oauth_client.removed",
            "cas_service.updated",
            "cas_service.registered",
            "client.updated",
            "client.registered",
        ]
    );
}

#[actix_web::test]
async fn the_access_token_carries_the_staff_roles_for_the_front_end_but_the_database_decides() {
    use base64::Engine;
    let app = spawn_app().await;
    let member = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let agent = app.add_active_account("s.agent", "Support-2026!", "agent@ordre.fr");
    grant(&app, "s.agent", StaffRoleKind::Support).await;
    roles::grant_by_operator(
        &app.context,
        "s.agent".into(),
        StaffRoleKind::Council,
        Some("bretagne".into()),
    )
    .await
    .expect("granted");
    let claims = |token: &str| -> Value {
        let payload = token.split('.').nth(1).expect("a JWT");
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .expect("base64url"),
        )
        .expect("JSON")
    };
    let (member_token, _) = app.signed_in(&member).await;
    assert_eq!(
        claims(&member_token).get("roles"),
        None,
        "no claim for non-staff"
    );
    let (agent_token, agent_refresh) = app.signed_in(&agent).await;
    let mut roles_claim = claims(&agent_token)["roles"].clone();
    roles_claim
        .as_array_mut()
        .expect("roles")
        .sort_by_key(|v| v.to_string());
    assert_eq!(roles_claim, json!(["council:bretagne", "support"]));

    // Revoked: the refreshed token no longer carries it, and the old token no longer opens the
    // staff endpoints, whatever it says.
    roles::revoke_by_operator(&app.context, "s.agent".into(), StaffRoleKind::Support, None)
        .await
        .expect("revoked");
    let path = format!("/v1/staff/accounts/{}", member.id);
    call(&app, Method::GET, &path, &agent_token, None)
        .await
        .assert_problem(404, "not_found");
    let refreshed = app.refresh(&agent_refresh).await.json();
    let access = refreshed["access_token"].as_str().expect("access token");
    assert_eq!(claims(access)["roles"], json!(["council:bretagne"]));
}

#[actix_web::test]
async fn the_support_desk_finds_a_rac_by_a_last_name_typed_without_its_accents() {
    let app = spawn_app().await;
    let rac = app.add_active_account("c.lefevre", "Rac-2026!", "c.l@cabinet.fr");
    app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let agent = app.add_active_account("s.agent", "Support-2026!", "agent@ordre.fr");
    grant(&app, "s.agent", StaffRoleKind::Support).await;
    {
        use comptexpert::db::schema::accounts;
        diesel::update(accounts::table.find(&rac.id))
            .set(accounts::last_name.eq("Lefèvre-Dubois"))
            .execute(&mut *connection(&app))
            .expect("renamed");
    }
    let (token, _) = app.signed_in(&agent).await;
    for q in [
        "lefevre",
        "LEFÈVRE",
        "lefevredu",
        "dubois",
        "Lefèvre-Dubois Jeanne",
    ] {
        let found = call(
            &app,
            Method::GET,
            &format!("/v1/staff/accounts?q={}", urlencoding(q)),
            &token,
            None,
        )
        .await
        .json();
        let identifiers: Vec<&str> = found["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|a| a["identifier"].as_str())
            .collect();
        assert_eq!(identifiers, ["c.lefevre"], "{q}");
    }
    let others = call(
        &app,
        Method::GET,
        "/v1/staff/accounts?q=dupont",
        &token,
        None,
    )
    .await
    .json();
    assert_eq!(others["items"], json!([]));
}

fn urlencoding(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}
