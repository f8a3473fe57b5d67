use awc::http::Method;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::json;

use crate::{
    fixtures::{token_from_link, MemberSpec},
    helpers::spawn_app,
    mailbox::wait_for_email,
};

#[actix_web::test]
async fn a_registered_member_signs_in_with_the_password_set_through_the_link() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    app.create_member_account("expert_comptable_independant", &member_ref)
        .await;
    let email = wait_for_email(&app, "marie.durand@cabinet-durand.fr").await;
    let token = token_from_link(&email.links[0]);

    // Before activation, the account answers like an unknown identifier.
    app.sign_in("mdurand", "Cabinet-2026!", false)
        .await
        .assert_problem(401, "invalid_credentials");

    app.set_password(&token, "Cabinet-2026!").await;
    let response = app.sign_in("MDurand", "Cabinet-2026!", true).await;
    assert_eq!(response.status.as_u16(), 201);
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["refresh_expires_in"], 30 * 24 * 3600);
    assert_eq!(body["account"]["identifier"], "mdurand");
    assert_eq!(body["account"]["is_member"], true);
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );

    let me = app.me(body["access_token"].as_str().expect("token")).await;
    assert_eq!(me.status.as_u16(), 200);
    assert_eq!(me.json()["email"], "marie.durand@cabinet-durand.fr");
}

#[actix_web::test]
async fn without_keep_session_active_the_refresh_token_lives_twelve_hours() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let body = app
        .sign_in(&account.identifier, &account.password, false)
        .await
        .json();
    assert_eq!(body["refresh_expires_in"], 12 * 3600);
}

#[actix_web::test]
async fn the_longest_password_allowed_signs_in_whatever_its_characters() {
    let app = spawn_app().await;
    // 256 characters, 512 bytes: the limit counts characters, as when the password was set.
    let password = "é".repeat(255) + "1";
    let account = app.add_active_account("j.martin", &password, "jeanne@cabinet.fr");
    let signed_in = app.sign_in(&account.identifier, &password, false).await;
    assert_eq!(signed_in.status.as_u16(), 201, "{}", signed_in.json());
    app.sign_in(&account.identifier, &format!("{password}x"), false)
        .await
        .assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn the_access_token_carries_the_contract_claims_and_verifies_with_the_jwks() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    let parts: Vec<&str> = access.split('.').collect();
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(claims["sub"], account.id.as_str());
    assert_eq!(claims["amr"], json!(["pwd"]));
    for claim in ["sid", "iss", "aud", "iat", "exp", "jti"] {
        assert!(!claims[claim].is_null(), "claim {claim}");
    }
    assert_eq!(
        claims["exp"].as_i64().unwrap_or_default() - claims["iat"].as_i64().unwrap_or_default(),
        900
    );

    let jwks = app.get("/.well-known/jwks.json").await.json();
    let key = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the token's key is published")
        .clone();
    let decoding =
        jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().expect("x")).expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&[claims["aud"].as_str().expect("aud")]);
    assert!(
        jsonwebtoken::decode::<serde_json::Value>(&access, &decoding, &validation).is_ok(),
        "verifiable offline"
    );
}

#[actix_web::test]
async fn wrong_password_and_unknown_identifier_are_indistinguishable() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let wrong = app.sign_in(&account.identifier, "Wrong-2026!", false).await;
    let unknown = app.sign_in("nobody.here", "Wrong-2026!", false).await;
    wrong.assert_problem(401, "invalid_credentials");
    unknown.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong.json(), unknown.json());
    assert_eq!(wrong.status, unknown.status);
}

#[actix_web::test]
async fn repeated_failures_lock_the_identifier_known_or_not_and_success_resets() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    for identifier in [account.identifier.as_str(), "nobody.here"] {
        for _ in 0..5 {
            app.sign_in(identifier, "Wrong-2026!", false)
                .await
                .assert_problem(401, "invalid_credentials");
        }
        let locked = app.sign_in(identifier, "Wrong-2026!", false).await;
        locked.assert_problem(429, "rate_limited");
        let retry_after: i64 = locked
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("seconds");
        assert!((1..=30).contains(&retry_after), "{retry_after}");
    }
    // Even the right password waits for the lock to end.
    app.sign_in(&account.identifier, &account.password, false)
        .await
        .assert_problem(429, "rate_limited");

    // Another identifier is not affected.
    let other = app.add_active_account("p.dupont", "Other-2026!", "p@cabinet.fr");
    assert_eq!(
        app.sign_in(&other.identifier, &other.password, false)
            .await
            .status
            .as_u16(),
        201
    );
}

#[actix_web::test]
async fn a_success_before_the_lock_forgets_the_failures() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    // Each success counts from zero again: the second round's four failures stay under the lock
    // that a fifth in a row would start (eight without the reset).
    for _ in 0..2 {
        for _ in 0..4 {
            app.sign_in(&account.identifier, "Wrong-2026!", false)
                .await
                .assert_problem(401, "invalid_credentials");
        }
        assert_eq!(
            app.sign_in(&account.identifier, &account.password, false)
                .await
                .status
                .as_u16(),
            201
        );
    }
}

#[actix_web::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_session() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, first_refresh) = app.signed_in(&account).await;

    let rotated = app.refresh(&first_refresh).await;
    assert_eq!(rotated.status.as_u16(), 200);
    let second_refresh = rotated.json()["refresh_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_ne!(second_refresh, first_refresh);
    let new_access = rotated.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(app.me(&new_access).await.status.as_u16(), 200);

    // Replaying the first token after the grace period is theft: the whole session dies.
    age_refresh_tokens(&app);
    app.refresh(&first_refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
    app.refresh(&second_refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
    let denied = app.me(&access).await;
    denied.assert_problem(401, "token_revoked");
    assert!(denied
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));

    let events = app
        .send(
            app.authed(
                Method::GET,
                "/v1/me/security-events",
                &app.signed_in(&account).await.0,
            ),
            None,
        )
        .await;
    assert!(events.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|e| e["kind"] == "refresh_token_reused"));
}

/// Moves rotation instants into the past, as if the grace period for concurrent refreshes had elapsed.
fn age_refresh_tokens(app: &crate::helpers::TestApp) {
    use diesel::{ExpressionMethods, RunQueryDsl};
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let mut conn = pool.get().expect("connection");
    let past = comptexpert::db::now() - chrono::Duration::minutes(5);
    diesel::update(comptexpert::db::schema::refresh_tokens::table)
        .filter(comptexpert::db::schema::refresh_tokens::rotated_at.is_not_null())
        .set(comptexpert::db::schema::refresh_tokens::rotated_at.eq(past))
        .execute(&mut conn)
        .expect("age tokens");
}

#[actix_web::test]
async fn of_concurrent_refreshes_with_one_token_exactly_one_wins() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (_, refresh) = app.signed_in(&account).await;
    let attempts = (0..6).map(|_| app.refresh(&refresh));
    let responses = futures_util::future::join_all(attempts).await;
    let winners: Vec<_> = responses
        .iter()
        .filter(|r| r.status.as_u16() == 200)
        .collect();
    assert_eq!(winners.len(), 1, "{responses:?}");
    // The winner's new token still works: the race did not look like a theft.
    let next = winners[0].json()["refresh_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(app.refresh(&next).await.status.as_u16(), 200);
}

#[actix_web::test]
async fn tampered_expired_or_foreign_tokens_get_401_with_www_authenticate() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&account).await;
    let parts: Vec<&str> = access.split('.').collect();

    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    claims["sub"] = json!("someone-else");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );

    // A token signed by a key we do not publish, and one with the wrong audience.
    let foreign_keys = comptexpert::auth::keys::SigningKeys::from_pem(
        &comptexpert::auth::keys::generate_pem().expect("pem"),
    )
    .expect("keys");
    let foreign = comptexpert::auth::access::issue(
        &foreign_keys,
        "https://comptexpert.experts-comptables.fr",
        "comptexpert",
        &account.id,
        "sid",
        "pwd",
        Vec::new(),
    )
    .expect("token");
    let app_keys_file =
        std::fs::read_to_string(app.mail_dir.parent().expect("dir").join("jwt-keys.pem"))
            .expect("key file");
    let app_keys = comptexpert::auth::keys::SigningKeys::from_pem(&app_keys_file).expect("keys");
    let wrong_audience = comptexpert::auth::access::issue(
        &app_keys,
        "https://comptexpert.experts-comptables.fr",
        "another-site",
        &account.id,
        "sid",
        "pwd",
        Vec::new(),
    )
    .expect("token");

    // Signed by the service's own key, but its 15 minutes are over.
    let now = chrono::Utc::now().timestamp();
    let expired = app_keys.sign_compact(
        json!({
            "sub": account.id, "sid": claims["sid"], "amr": ["pwd"],
            "iss": claims["iss"], "aud": claims["aud"],
            "iat": now - 3600, "exp": now - 2700, "jti": "expired-1",
        })
        .to_string()
        .as_bytes(),
    );

    for (token, code) in [
        (tampered.as_str(), "token_invalid"),
        (alg_none.as_str(), "token_invalid"),
        (foreign.as_str(), "token_invalid"),
        (wrong_audience.as_str(), "token_invalid"),
        ("garbage", "token_invalid"),
        (expired.as_str(), "token_expired"),
    ] {
        let response = app.me(token).await;
        response.assert_problem(401, code);
        let challenge = response
            .header("www-authenticate")
            .expect("WWW-Authenticate");
        assert!(
            challenge.starts_with(
                r#"Bearer realm="comptexpert", error="invalid_token", error_description=""#
            ),
            "{token}: {challenge}"
        );
    }
    // No token at all: the challenge names no error (RFC 6750 § 3.1).
    for missing in [app.get("/v1/me").await, app.me("").await] {
        missing.assert_problem(401, "token_missing");
        assert_eq!(
            missing.header("www-authenticate").as_deref(),
            Some(r#"Bearer realm="comptexpert""#)
        );
    }
    let english = app
        .send(
            app.request(Method::GET, "/v1/me")
                .insert_header(("Accept-Language", "en")),
            None,
        )
        .await;
    let body = english.assert_problem(401, "token_missing");
    assert!(body["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("sign in"));
}

#[actix_web::test]
async fn signing_out_closes_the_session_at_once() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, refresh) = app.signed_in(&account).await;
    let response = app
        .send(
            app.authed(Method::DELETE, "/v1/sessions/current", &access),
            None,
        )
        .await;
    assert_eq!(response.status.as_u16(), 204);
    response.assert_empty();
    app.me(&access).await.assert_problem(401, "token_revoked");
    app.refresh(&refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
}

#[actix_web::test]
async fn a_mobile_app_signs_out_with_its_refresh_token_alone() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, refresh) = app.signed_in(&account).await;
    let (other_access, _) = app.signed_in(&account).await;

    let response = app
        .post_json("/v1/sessions/revoke", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(response.status.as_u16(), 204);
    response.assert_empty();
    // The whole session is closed: its access token and its refresh token.
    app.me(&access).await.assert_problem(401, "token_revoked");
    app.refresh(&refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
    // The account's other session stays open.
    assert_eq!(app.me(&other_access).await.status.as_u16(), 200);
    let events = crate::session_checks::security_events(&app, &other_access).await;
    assert!(
        events.iter().any(|(kind, _)| kind == "sign_out"),
        "{events:?}"
    );

    // Signing out again, or with a token nobody issued, is not an error (RFC 7009).
    for token in [refresh.as_str(), "unknown-token", ""] {
        let again = app
            .post_json("/v1/sessions/revoke", json!({"refresh_token": token}))
            .await;
        assert_eq!(again.status.as_u16(), 204, "{token}");
    }
}

#[actix_web::test]
async fn one_lists_and_closes_ones_own_sessions_only() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (laptop, _) = app.signed_in(&account).await;
    let (phone, _) = app.signed_in(&account).await;
    let list = app
        .send(app.authed(Method::GET, "/v1/me/sessions", &laptop), None)
        .await
        .json();
    let items = list["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_session = items
        .iter()
        .find(|s| s["current"] == false)
        .expect("the other session")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Someone else cannot close it.
    let stranger = app.add_active_account("p.dupont", "Other-2026!", "p@cabinet.fr");
    let (stranger_access, _) = app.signed_in(&stranger).await;
    let path = format!("/v1/me/sessions/{phone_session}");
    app.send(app.authed(Method::DELETE, &path, &stranger_access), None)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(app.me(&phone).await.status.as_u16(), 200);

    assert_eq!(
        app.send(app.authed(Method::DELETE, &path, &laptop), None)
            .await
            .status
            .as_u16(),
        204
    );
    app.me(&phone).await.assert_problem(401, "token_revoked");
    assert_eq!(app.me(&laptop).await.status.as_u16(), 200);
}

#[actix_web::test]
async fn a_token_of_the_services_key_is_refused_for_another_accounts_session_or_a_future_date() {
    let app = spawn_app().await;
    let jeanne = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let paul = app.add_active_account("p.durand", "Rac-2026!", "paul@cabinet.fr");
    let (jeanne_access, _) = app.signed_in(&jeanne).await;
    let (paul_access, _) = app.signed_in(&paul).await;
    let jeanne_claims = crate::session_checks::claims_of(&jeanne_access);
    let paul_claims = crate::session_checks::claims_of(&paul_access);
    let app_keys_file =
        std::fs::read_to_string(app.mail_dir.parent().expect("dir").join("jwt-keys.pem"))
            .expect("key file");
    let app_keys = comptexpert::auth::keys::SigningKeys::from_pem(&app_keys_file).expect("keys");
    let sign = |claims: serde_json::Value| app_keys.sign_compact(claims.to_string().as_bytes());
    let now = chrono::Utc::now().timestamp();
    let claims = |sub: &serde_json::Value, sid: &serde_json::Value, iat: i64| {
        json!({
            "sub": sub, "sid": sid, "amr": ["pwd"],
            "iss": jeanne_claims["iss"], "aud": jeanne_claims["aud"],
            "iat": iat, "exp": now + 600, "jti": format!("forged-{iat}"),
        })
    };

    // The service's own signature, Paul's account, Jeanne's live session: not Paul's way in.
    let borrowed_session = sign(claims(&paul_claims["sub"], &jeanne_claims["sid"], now));
    app.me(&borrowed_session)
        .await
        .assert_problem(401, "token_revoked");
    // Dated an hour ahead, or not valid before an hour from now.
    let future_iat = sign(claims(
        &jeanne_claims["sub"],
        &jeanne_claims["sid"],
        now + 3600,
    ));
    app.me(&future_iat)
        .await
        .assert_problem(401, "token_invalid");
    let mut not_yet = claims(&jeanne_claims["sub"], &jeanne_claims["sid"], now);
    not_yet["nbf"] = json!(now + 3600);
    app.me(&sign(not_yet))
        .await
        .assert_problem(401, "token_invalid");
    // The same claims, honestly dated and for the session's own account, are let in.
    let honest = sign(claims(&jeanne_claims["sub"], &jeanne_claims["sid"], now));
    assert_eq!(app.me(&honest).await.status.as_u16(), 200);
    assert_eq!(app.me(&paul_access).await.status.as_u16(), 200);
}

#[actix_web::test]
async fn after_a_key_rotation_new_tokens_carry_the_new_kid_and_tokens_of_both_keys_are_accepted() {
    let app = spawn_app().await;
    let account = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let key_file = app.context.settings.jwt_key_file.clone();
    // Not shown to `/v1/me` before the rotation: its acceptance below is a verification with the
    // keys after the rotation, not a memory of an earlier one.
    let (before, _) = app.signed_in(&account).await;
    let before_claims = crate::session_checks::claims_of(&before);
    let kid_of = |token: &str| {
        jsonwebtoken::decode_header(token)
            .expect("header")
            .kid
            .expect("kid")
    };

    // Published for no time: the test cannot wait the five minutes a real rotation publishes the
    // key before it signs (covered by the unit tests of src/auth/keys/file.rs).
    let rotation = comptexpert::auth::keys::rotate_file_publishing(
        &key_file,
        chrono::Utc::now(),
        chrono::Duration::zero(),
    )
    .expect("rotated");
    assert_eq!(rotation.retired, [kid_of(&before)]);

    // Another instance that saw the new file first signs with the new key: this one accepts its
    // token at once rather than at its next look at the file.
    let elsewhere =
        comptexpert::auth::keys::SigningKeys::load_or_generate(&key_file).expect("keys");
    let now = chrono::Utc::now().timestamp();
    let from_elsewhere = elsewhere.sign_compact(
        json!({
            "sub": before_claims["sub"], "sid": before_claims["sid"], "amr": ["pwd"],
            "iss": before_claims["iss"], "aud": before_claims["aud"],
            "iat": now, "exp": now + 600, "jti": "from-another-instance",
        })
        .to_string()
        .as_bytes(),
    );
    assert_eq!(app.me(&from_elsewhere).await.status.as_u16(), 200);

    let (after, _) = app.signed_in(&account).await;
    assert_eq!(kid_of(&after), rotation.new_kid);
    assert_eq!(app.me(&after).await.status.as_u16(), 200);
    assert_eq!(app.me(&before).await.status.as_u16(), 200);
    let jwks = app.get("/.well-known/jwks.json").await.json();
    let published: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter(|key| key["alg"] == "EdDSA")
        .filter_map(|key| key["kid"].as_str())
        .collect();
    assert_eq!(published, [rotation.new_kid.as_str(), &kid_of(&before)]);
}
