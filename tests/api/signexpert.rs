//! Signexpert: signing in with an X.509 certificate. `TestPki` is a certification authority made
//! with rcgen (a root, the trust anchor, and an intermediate that issues users' certificates);
//! `CertificateHolder` plays the user's middleware, signing challenges with the private key.

use std::{path::PathBuf, time::Duration};

use awc::http::Method;
use base64::{engine::general_purpose::STANDARD, Engine};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
    DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber, PKCS_ED25519,
};
use ring::{
    rand::SystemRandom,
    signature::{self as ring_signature, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair},
};
use serde_json::{json, Value};

use crate::{
    fixtures::{MemberSpec, TestAccount},
    helpers::{spawn_app, spawn_app_with, test_settings, TestApp, TestResponse, TestSchema},
    mailbox::wait_for_emails,
    session_checks::{assert_behaves_like_a_password_session, security_events},
};

/// A 2048-bit RSA key for tests (ring cannot generate RSA keys). Test data only.
const RSA_KEY_PEM: &str = include_str!("data/signexpert-rsa-2048.pem");

/// A certification authority of tests.
pub(crate) struct TestPki {
    root_pem: String,
    intermediate_pem: String,
    intermediate: Issuer<'static, KeyPair>,
}

/// The kind of key a user's certificate holds.
#[derive(Clone, Copy)]
pub(crate) enum KeyKind {
    EcdsaP256,
    Rsa,
    Ed25519,
}

/// A user's certificate to issue.
pub(crate) struct UserCert<'a> {
    common_name: &'a str,
    supra_number: Option<&'a str>,
    key: KeyKind,
    valid: ((i32, u8, u8), (i32, u8, u8)),
    key_usages: Vec<KeyUsagePurpose>,
    extended_key_usages: Vec<ExtendedKeyUsagePurpose>,
    is_ca: bool,
}

impl Default for UserCert<'_> {
    fn default() -> Self {
        Self {
            common_name: "Marie Durand",
            supra_number: Some("12345678"),
            key: KeyKind::EcdsaP256,
            valid: ((2020, 1, 1), (2090, 1, 1)),
            key_usages: vec![KeyUsagePurpose::DigitalSignature],
            extended_key_usages: vec![ExtendedKeyUsagePurpose::ClientAuth],
            is_ca: false,
        }
    }
}

/// How the holder signs.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Form {
    /// ECDSA as DER, RSA as PKCS#1 v1.5, Ed25519; no `signature_algorithm` sent.
    Plain,
    /// ECDSA as raw `r‖s`.
    EcdsaRaw,
    /// RSA-PSS, announced with `signature_algorithm`.
    RsaPss,
}

/// A certificate and its private key.
pub(crate) struct CertificateHolder {
    pub(crate) chain_pem: String,
    serial: Vec<u8>,
    key: KeyKind,
    pkcs8: Vec<u8>,
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(
        DnType::OrganizationName,
        "Ordre des experts-comptables (tests)",
    );
    name.push(DnType::CommonName, common_name);
    name
}

fn ca_params(common_name: &str, path_len: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name(common_name);
    params.is_ca = IsCa::Ca(match path_len {
        Some(len) => BasicConstraints::Constrained(len),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

impl TestPki {
    pub(crate) fn new(label: &str) -> Self {
        let root_key = KeyPair::generate().expect("root key");
        let root_params = ca_params(&format!("{label} Root CA"), None);
        let root_cert = root_params
            .self_signed(&root_key)
            .expect("root certificate");
        let root = Issuer::new(root_params, root_key);
        let intermediate_key = KeyPair::generate().expect("intermediate key");
        let intermediate_params = ca_params(&format!("{label} Signexpert CA"), Some(0));
        let intermediate_cert = intermediate_params
            .signed_by(&intermediate_key, &root)
            .expect("intermediate certificate");
        Self {
            root_pem: root_cert.pem(),
            intermediate_pem: intermediate_cert.pem(),
            intermediate: Issuer::new(intermediate_params, intermediate_key),
        }
    }

    pub(crate) fn issue(&self, spec: UserCert<'_>) -> CertificateHolder {
        let key = match spec.key {
            KeyKind::EcdsaP256 => KeyPair::generate(),
            KeyKind::Rsa => KeyPair::from_pem(RSA_KEY_PEM),
            KeyKind::Ed25519 => KeyPair::generate_for(&PKCS_ED25519),
        }
        .expect("user key");
        let mut params = CertificateParams::default();
        params.distinguished_name = name(spec.common_name);
        if let Some(supra) = spec.supra_number {
            // serialNumber (2.5.4.5): where the Ordre's certificates carry the SUPRA number.
            params
                .distinguished_name
                .push(DnType::CustomDnType(vec![2, 5, 4, 5]), supra);
        }
        let ((y1, m1, d1), (y2, m2, d2)) = spec.valid;
        params.not_before = date_time_ymd(y1, m1, d1);
        params.not_after = date_time_ymd(y2, m2, d2);
        params.key_usages = spec.key_usages;
        params.extended_key_usages = spec.extended_key_usages;
        if spec.is_ca {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }
        let mut serial = uuid::Uuid::new_v4().as_bytes().to_vec();
        serial[0] = (serial[0] & 0x7f) | 0x01;
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        let certificate = params
            .signed_by(&key, &self.intermediate)
            .expect("user certificate");
        CertificateHolder {
            chain_pem: format!("{}{}", certificate.pem(), self.intermediate_pem),
            serial,
            key: spec.key,
            pkcs8: key.serialize_der(),
        }
    }

    /// A CRL of the intermediate that revokes `holders`.
    fn crl_revoking(&self, holders: &[&CertificateHolder], number: u64) -> String {
        CertificateRevocationListParams {
            this_update: date_time_ymd(2024, 1, 1),
            next_update: date_time_ymd(2090, 1, 1),
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs: holders
                .iter()
                .map(|h| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&h.serial),
                    revocation_time: date_time_ymd(2024, 6, 1),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&self.intermediate)
        .expect("CRL")
        .pem()
        .expect("CRL PEM")
    }
}

impl CertificateHolder {
    /// Signs `message` with the private key, base64 (standard alphabet, as most middleware sends).
    pub(crate) fn sign(&self, message: &str, form: Form) -> String {
        let rng = SystemRandom::new();
        let bytes = message.as_bytes();
        let signature = match self.key {
            KeyKind::EcdsaP256 => {
                let algorithm = if form == Form::EcdsaRaw {
                    &ring_signature::ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &ring_signature::ECDSA_P256_SHA256_ASN1_SIGNING
                };
                let key = EcdsaKeyPair::from_pkcs8(algorithm, &self.pkcs8, &rng).expect("EC key");
                key.sign(&rng, bytes).expect("sign").as_ref().to_vec()
            }
            KeyKind::Rsa => {
                let key = RsaKeyPair::from_pkcs8(&self.pkcs8).expect("RSA key");
                let mut signature = vec![0; key.public().modulus_len()];
                let padding: &dyn ring_signature::RsaEncoding = if form == Form::RsaPss {
                    &ring_signature::RSA_PSS_SHA256
                } else {
                    &ring_signature::RSA_PKCS1_SHA256
                };
                key.sign(padding, &rng, bytes, &mut signature)
                    .expect("sign");
                signature
            }
            KeyKind::Ed25519 => Ed25519KeyPair::from_pkcs8_maybe_unchecked(&self.pkcs8)
                .expect("Ed25519 key")
                .sign(bytes)
                .as_ref()
                .to_vec(),
        };
        STANDARD.encode(signature)
    }

    /// The proof for `challenge`: the documented message, signed.
    fn proof(&self, challenge: &Value, form: Form) -> Value {
        let challenge_id = challenge["challenge_id"].as_str().expect("challenge id");
        let nonce = challenge["nonce"].as_str().expect("nonce");
        let message = format!("comptexpert-signexpert-v1\n{challenge_id}\n{nonce}");
        assert_eq!(challenge["message_to_sign"], message.as_str());
        let mut proof = json!({
            "challenge_id": challenge_id,
            "certificate_chain_pem": self.chain_pem,
            "signature": self.sign(&message, form),
        });
        if form == Form::RsaPss {
            proof["signature_algorithm"] = json!("rsa_pss_sha256");
        }
        proof
    }
}

impl TestApp {
    /// `POST /v1/signexpert/challenges`, expected to succeed.
    async fn signexpert_challenge(&self) -> Value {
        let response = self.post_json("/v1/signexpert/challenges", json!({})).await;
        assert_eq!(response.status.as_u16(), 201, "{:?}", response.json());
        response.json()
    }

    /// `POST /v1/signexpert/sessions`.
    async fn signexpert_sign_in(&self, body: Value) -> TestResponse {
        self.post_json("/v1/signexpert/sessions", body).await
    }

    /// A fresh challenge, signed by `holder`, presented for sign-in.
    async fn sign_in_with(&self, holder: &CertificateHolder, form: Form) -> TestResponse {
        let challenge = self.signexpert_challenge().await;
        self.signexpert_sign_in(holder.proof(&challenge, form))
            .await
    }

    /// A fresh challenge, signed by `holder`, presented for enrolment on the account of `access`.
    async fn enrol_certificate(&self, access: &str, holder: &CertificateHolder) -> TestResponse {
        let challenge = self.signexpert_challenge().await;
        self.send(
            self.authed(Method::POST, "/v1/me/certificates", access),
            Some(holder.proof(&challenge, Form::Plain)),
        )
        .await
    }
}

/// Writes `contents` next to the test's database and mail folder.
fn beside_test_files(
    settings: &comptexpert::config::Settings,
    file: &str,
    contents: &str,
) -> PathBuf {
    let path = settings
        .mail_dir
        .parent()
        .expect("the test folder")
        .join(file);
    std::fs::write(&path, contents).expect("write test file");
    path
}

/// The application trusting `pki`'s root.
pub(crate) async fn spawn_trusting(pki: &TestPki) -> TestApp {
    let anchor = pki.root_pem.clone();
    spawn_app_with(move |s| {
        s.signexpert_ca_file = Some(beside_test_files(s, "signexpert-ca.pem", &anchor));
    })
    .await
}

/// Marie Durand, member 12345678, with an active account.
pub(crate) fn marie(app: &TestApp) -> TestAccount {
    let member_ref = app.add_member(MemberSpec::default());
    app.add_member_account(
        &member_ref,
        "mdurand",
        "Cabinet-2026!",
        "marie.durand@cabinet-durand.fr",
        true,
    )
}

#[actix_web::test]
async fn a_member_signs_in_with_a_certificate_carrying_their_supra_number() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    let account = marie(&app);
    let holder = pki.issue(UserCert::default());

    let response = app.sign_in_with(&holder, Form::Plain).await;
    assert_eq!(response.status.as_u16(), 201, "{:?}", response.json());
    let tokens = response.json();
    assert_eq!(tokens["account"]["id"], account.id.as_str());
    assert_eq!(tokens["account"]["is_member"], true);
    assert_eq!(tokens["refresh_expires_in"], 12 * 3600);
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    assert_behaves_like_a_password_session(&app, &tokens, "x509").await;
}

#[actix_web::test]
async fn rsa_pkcs1_rsa_pss_ed25519_and_raw_ecdsa_signatures_are_accepted() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let rsa = pki.issue(UserCert {
        key: KeyKind::Rsa,
        ..UserCert::default()
    });
    let ed25519 = pki.issue(UserCert {
        key: KeyKind::Ed25519,
        ..UserCert::default()
    });
    let ecdsa = pki.issue(UserCert::default());
    for (holder, form, label) in [
        (
            &rsa,
            Form::Plain,
            "RSA PKCS#1 v1.5, algorithm found from the key",
        ),
        (&rsa, Form::RsaPss, "RSA-PSS, algorithm announced"),
        (&ed25519, Form::Plain, "Ed25519"),
        (&ecdsa, Form::EcdsaRaw, "ECDSA P-256 as raw r||s"),
    ] {
        let response = app.sign_in_with(holder, form).await;
        assert_eq!(
            response.status.as_u16(),
            201,
            "{label}: {:?}",
            response.json()
        );
        let tokens = response.json();
        assert_eq!(tokens["account"]["identifier"], "mdurand", "{label}");
    }
}

#[actix_web::test]
async fn a_signature_that_does_not_match_the_challenge_or_the_key_is_refused() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert::default());
    let impostor = pki.issue(UserCert {
        common_name: "Someone Else",
        ..UserCert::default()
    });

    // Marie's certificate, someone else's key.
    let challenge = app.signexpert_challenge().await;
    let mut proof = impostor.proof(&challenge, Form::Plain);
    proof["certificate_chain_pem"] = json!(holder.chain_pem);
    app.signexpert_sign_in(proof)
        .await
        .assert_problem(401, "invalid_signature");

    // The right key over another message (a previous challenge's).
    let old = app.signexpert_challenge().await;
    let challenge = app.signexpert_challenge().await;
    let mut proof = holder.proof(&challenge, Form::Plain);
    proof["signature"] = holder.proof(&old, Form::Plain)["signature"].clone();
    app.signexpert_sign_in(proof)
        .await
        .assert_problem(401, "invalid_signature");

    // A right signature announced with an algorithm that does not fit the key.
    let challenge = app.signexpert_challenge().await;
    let mut proof = holder.proof(&challenge, Form::Plain);
    proof["signature_algorithm"] = json!("rsa_pkcs1_sha256");
    app.signexpert_sign_in(proof)
        .await
        .assert_problem(401, "invalid_signature");

    // Bytes that are no signature at all.
    let challenge = app.signexpert_challenge().await;
    let mut proof = holder.proof(&challenge, Form::Plain);
    proof["signature"] = json!(STANDARD.encode([7u8; 71]));
    app.signexpert_sign_in(proof)
        .await
        .assert_problem(401, "invalid_signature");
}

#[actix_web::test]
async fn an_expired_certificate_is_refused() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert {
        valid: ((2000, 1, 1), (2001, 1, 1)),
        ..UserCert::default()
    });
    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(401, "certificate_expired");
}

#[actix_web::test]
async fn a_certificate_not_yet_valid_is_refused() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert {
        valid: ((2090, 1, 1), (2095, 1, 1)),
        ..UserCert::default()
    });
    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(401, "certificate_not_yet_valid");
}

#[actix_web::test]
async fn a_certificate_from_another_authority_is_refused() {
    let pki = TestPki::new("Main");
    let rogue = TestPki::new("Rogue");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = rogue.issue(UserCert::default());
    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(401, "certificate_untrusted");

    // Nor does a rogue certificate pass by naming the trusted intermediate in its chain.
    let mut mixed = rogue.issue(UserCert::default());
    mixed.chain_pem = format!(
        "{}{}",
        mixed
            .chain_pem
            .split_inclusive("-----END CERTIFICATE-----\n")
            .next()
            .unwrap_or_default(),
        pki.intermediate_pem
    );
    app.sign_in_with(&mixed, Form::Plain)
        .await
        .assert_problem(401, "certificate_untrusted");
}

#[actix_web::test]
async fn a_certificate_without_the_digital_signature_key_usage_is_refused() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert {
        key_usages: vec![KeyUsagePurpose::KeyEncipherment],
        ..UserCert::default()
    });
    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(401, "certificate_usage");
}

#[actix_web::test]
async fn a_certificate_without_the_client_auth_extended_key_usage_is_refused() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert {
        extended_key_usages: vec![ExtendedKeyUsagePurpose::ServerAuth],
        ..UserCert::default()
    });
    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(401, "certificate_usage");
}

#[actix_web::test]
async fn a_ca_certificate_cannot_sign_in() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert {
        is_ca: true,
        ..UserCert::default()
    });
    let response = app.sign_in_with(&holder, Form::Plain).await;
    // webpki refuses a CA as end-entity; the intermediate's path length 0 forbids it as well.
    let code = response.json()["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        code == "certificate_usage" || code == "certificate_untrusted",
        "{:?}",
        response.json()
    );
    assert_eq!(response.status.as_u16(), 401);
}

#[actix_web::test]
async fn a_valid_certificate_that_maps_to_no_active_account_is_not_linked() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    // A member whose account still waits for activation, and a member with no account.
    let pending = app.add_member(MemberSpec {
        supra_number: "22223333",
        email: "paul@cabinet.fr",
        first_name: "Paul",
        ..MemberSpec::default()
    });
    app.add_member_account(
        &pending,
        "pbernard",
        "Cabinet-2026!",
        "paul@cabinet.fr",
        false,
    );
    app.add_member(MemberSpec {
        supra_number: "44445555",
        email: "luc@cabinet.fr",
        first_name: "Luc",
        ..MemberSpec::default()
    });
    for supra in [Some("22223333"), Some("44445555"), Some("99990000"), None] {
        let holder = pki.issue(UserCert {
            supra_number: supra,
            ..UserCert::default()
        });
        app.sign_in_with(&holder, Form::Plain)
            .await
            .assert_problem(401, "certificate_not_linked");
    }
}

#[actix_web::test]
async fn a_challenge_serves_once_and_not_after_its_two_minutes() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert::default());

    let challenge = app.signexpert_challenge().await;
    assert_eq!(challenge["expires_in"], 120);
    assert!(
        challenge["nonce"].as_str().is_some_and(|n| n.len() >= 22),
        "≥ 128 bits"
    );
    let proof = holder.proof(&challenge, Form::Plain);
    assert_eq!(
        app.signexpert_sign_in(proof.clone()).await.status.as_u16(),
        201
    );
    app.signexpert_sign_in(proof)
        .await
        .assert_problem(401, "invalid_challenge");

    let late = app.signexpert_challenge().await;
    app.expire_challenge(
        "signexpert_challenges",
        late["challenge_id"].as_str().expect("id"),
    );
    app.signexpert_sign_in(holder.proof(&late, Form::Plain))
        .await
        .assert_problem(401, "invalid_challenge");

    let mut unknown = holder.proof(&app.signexpert_challenge().await, Form::Plain);
    unknown["challenge_id"] = json!("0193a0a4-0000-7000-8000-000000000000");
    app.signexpert_sign_in(unknown)
        .await
        .assert_problem(401, "invalid_challenge");
}

#[actix_web::test]
async fn a_refused_attempt_uses_the_challenge_up() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert::default());
    let challenge = app.signexpert_challenge().await;
    let mut wrong = holder.proof(&challenge, Form::Plain);
    wrong["signature"] = json!(STANDARD.encode([7u8; 64]));
    app.signexpert_sign_in(wrong)
        .await
        .assert_problem(401, "invalid_signature");
    app.signexpert_sign_in(holder.proof(&challenge, Form::Plain))
        .await
        .assert_problem(401, "invalid_challenge");
}

#[actix_web::test]
async fn malformed_chains_and_signatures_get_problems_never_server_errors() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let holder = pki.issue(UserCert::default());
    let garbage_der = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(b"this is not DER at all")
    );
    let bad_base64_pem = "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n";
    let too_long = holder.chain_pem.repeat(5);
    for (chain, expected) in [
        ("", "validation_failed"),
        ("not a PEM document", "validation_failed"),
        (bad_base64_pem, "validation_failed"),
        (too_long.as_str(), "validation_failed"),
        (garbage_der.as_str(), "invalid_certificate_chain"),
    ] {
        let challenge = app.signexpert_challenge().await;
        let mut proof = holder.proof(&challenge, Form::Plain);
        proof["certificate_chain_pem"] = json!(chain);
        app.signexpert_sign_in(proof)
            .await
            .assert_problem(422, expected);
    }
    for signature in ["", "***not base64***"] {
        let challenge = app.signexpert_challenge().await;
        let mut proof = holder.proof(&challenge, Form::Plain);
        proof["signature"] = json!(signature);
        let problem = app
            .signexpert_sign_in(proof)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "signature");
    }
    let challenge = app.signexpert_challenge().await;
    let mut proof = holder.proof(&challenge, Form::Plain);
    proof["signature_algorithm"] = json!("md5_with_hope");
    app.signexpert_sign_in(proof)
        .await
        .assert_problem(422, "invalid_body");

    let english = app
        .send(
            app.request(Method::POST, "/v1/signexpert/sessions")
                .insert_header(("Accept-Language", "en")),
            Some(json!({"challenge_id": "", "certificate_chain_pem": "", "signature": ""})),
        )
        .await;
    let problem = english.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(3));
    assert!(problem["errors"][1]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Expected")));
}

#[actix_web::test]
async fn without_trust_anchors_certificate_sign_in_is_unavailable() {
    let app = spawn_app().await;
    app.post_json("/v1/signexpert/challenges", json!({}))
        .await
        .assert_problem(503, "signexpert_unavailable");
    let english = app
        .send(
            app.request(Method::POST, "/v1/signexpert/sessions")
                .insert_header(("Accept-Language", "en")),
            Some(json!({"challenge_id": "x", "certificate_chain_pem": "x", "signature": "x"})),
        )
        .await;
    let problem = english.assert_problem(503, "signexpert_unavailable");
    assert_eq!(problem["title"], "Certificate sign-in unavailable");
}

#[actix_web::test]
async fn an_unreadable_trust_anchor_file_stops_the_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = test_settings(dir.path());
    let _schema = TestSchema::of(&settings.database_url);
    settings.signexpert_ca_file = Some(dir.path().join("missing-ca.pem"));
    let error = comptexpert::Application::build(settings)
        .await
        .err()
        .expect("the start fails");
    assert!(error.contains("SIGNEXPERT_CA_FILE"), "{error}");

    let mut settings = test_settings(dir.path());
    let _second_schema = TestSchema::of(&settings.database_url);
    settings.signexpert_ca_file = Some(beside_test_files(&settings, "empty.pem", "nothing here"));
    let error = comptexpert::Application::build(settings)
        .await
        .err()
        .expect("the start fails");
    assert!(error.contains("no PEM certificate"), "{error}");
}

#[actix_web::test]
async fn an_enrolled_certificate_signs_in_to_its_account_until_removed() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    let rac = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&rac).await;
    let holder = pki.issue(UserCert {
        common_name: "Jeanne Martin",
        supra_number: None,
        key: KeyKind::Rsa,
        ..UserCert::default()
    });

    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(401, "certificate_not_linked");
    let enrolled = app.enrol_certificate(&access, &holder).await;
    assert_eq!(enrolled.status.as_u16(), 201, "{:?}", enrolled.json());
    let view = enrolled.json();
    assert_eq!(view["fingerprint_sha256"].as_str().map(str::len), Some(64));
    assert!(view["subject"]
        .as_str()
        .is_some_and(|s| s.contains("Jeanne Martin")));

    let response = app.sign_in_with(&holder, Form::Plain).await;
    assert_eq!(response.status.as_u16(), 201, "{:?}", response.json());
    assert_eq!(response.json()["account"]["id"], rac.id.as_str());

    let listed = app
        .send(
            app.authed(Method::GET, "/v1/me/certificates", &access),
            None,
        )
        .await
        .json();
    assert_eq!(listed["items"][0]["id"], view["id"]);
    assert!(listed["items"][0]["last_used_at"].is_string());

    let path = format!("/v1/me/certificates/{}", view["id"].as_str().expect("id"));
    let removed = app
        .send(app.authed(Method::DELETE, &path, &access), None)
        .await;
    assert_eq!(removed.status.as_u16(), 204);
    removed.assert_empty();
    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(401, "certificate_not_linked");

    let events = security_events(&app, &access).await;
    let events: Vec<(&str, &str)> = events
        .iter()
        .map(|(kind, method)| (kind.as_str(), method.as_str()))
        .collect();
    assert_eq!(
        events[..3],
        [
            ("certificate_removed", ""),
            ("sign_in", "x509"),
            ("certificate_enrolled", "")
        ]
    );
    let emails = wait_for_emails(&app, &rac.email, 2).await;
    assert!(emails[0].text.contains("Jeanne Martin") && emails[0].text.contains("associé"));
    assert!(emails[1].text.contains("retiré"));
}

#[actix_web::test]
async fn an_enrolment_wins_over_the_supra_number() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    marie(&app);
    let rac = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let (access, _) = app.signed_in(&rac).await;
    let holder = pki.issue(UserCert::default());
    assert_eq!(
        app.enrol_certificate(&access, &holder)
            .await
            .status
            .as_u16(),
        201
    );
    let response = app.sign_in_with(&holder, Form::Plain).await;
    assert_eq!(response.json()["account"]["identifier"], "j.martin");
}

#[actix_web::test]
async fn enrolment_needs_the_private_key_and_a_certificate_enrols_once() {
    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    let jeanne = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    let paul = app.add_active_account("p.bernard", "Rac-2026!", "paul@cabinet.fr");
    let (jeanne_access, _) = app.signed_in(&jeanne).await;
    let (paul_access, _) = app.signed_in(&paul).await;
    let holder = pki.issue(UserCert {
        supra_number: None,
        ..UserCert::default()
    });

    // Paul holds only the public certificate, not its key.
    let someone = pki.issue(UserCert::default());
    let challenge = app.signexpert_challenge().await;
    let mut proof = someone.proof(&challenge, Form::Plain);
    proof["certificate_chain_pem"] = json!(holder.chain_pem);
    app.send(
        app.authed(Method::POST, "/v1/me/certificates", &paul_access),
        Some(proof),
    )
    .await
    .assert_problem(401, "invalid_signature");

    let enrolled = app.enrol_certificate(&jeanne_access, &holder).await.json();
    app.enrol_certificate(&jeanne_access, &holder)
        .await
        .assert_problem(409, "certificate_already_enrolled");
    app.enrol_certificate(&paul_access, &holder)
        .await
        .assert_problem(409, "certificate_already_enrolled");
    let path = format!(
        "/v1/me/certificates/{}",
        enrolled["id"].as_str().expect("id")
    );
    app.send(app.authed(Method::DELETE, &path, &paul_access), None)
        .await
        .assert_problem(404, "not_found");
    let pauls = app
        .send(
            app.authed(Method::GET, "/v1/me/certificates", &paul_access),
            None,
        )
        .await
        .json();
    assert_eq!(pauls["items"].as_array().map(Vec::len), Some(0));
    let anonymous = app.post_json("/v1/me/certificates", json!({})).await;
    anonymous.assert_problem(401, "token_missing");
}

#[actix_web::test]
async fn a_revoked_certificate_is_refused_and_a_new_crl_is_picked_up_without_restart() {
    let pki = TestPki::new("Main");
    let revoked = pki.issue(UserCert::default());
    let good = pki.issue(UserCert::default());
    let anchor = pki.root_pem.clone();
    let crl = pki.crl_revoking(&[&revoked], 1);
    let mut crl_path = PathBuf::new();
    let app = spawn_app_with(|s| {
        s.signexpert_ca_file = Some(beside_test_files(s, "signexpert-ca.pem", &anchor));
        crl_path = beside_test_files(s, "signexpert.crl.pem", &crl);
        s.signexpert_crl_file = Some(crl_path.clone());
    })
    .await;
    marie(&app);

    app.sign_in_with(&revoked, Form::Plain)
        .await
        .assert_problem(401, "certificate_revoked");
    assert_eq!(
        app.sign_in_with(&good, Form::Plain).await.status.as_u16(),
        201
    );

    // The operator publishes a new CRL: taken into account at the next sign-in.
    std::fs::write(&crl_path, pki.crl_revoking(&[&revoked, &good], 2)).expect("new CRL");
    std::fs::File::options()
        .write(true)
        .open(&crl_path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now() + Duration::from_secs(60)))
        .expect("touch the CRL");
    app.sign_in_with(&good, Form::Plain)
        .await
        .assert_problem(401, "certificate_revoked");

    // A CRL file that became unreadable fails closed.
    std::fs::write(&crl_path, "garbage").expect("broken CRL");
    std::fs::File::options()
        .write(true)
        .open(&crl_path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now() + Duration::from_secs(120)))
        .expect("touch the CRL");
    app.sign_in_with(&good, Form::Plain)
        .await
        .assert_problem(503, "signexpert_unavailable");
}

#[actix_web::test]
async fn an_out_of_date_crl_fails_closed_until_a_current_one_replaces_it() {
    let pki = TestPki::new("Main");
    let holder = pki.issue(UserCert::default());
    let crl_valid_until = |year| {
        CertificateRevocationListParams {
            this_update: date_time_ymd(2020, 1, 1),
            next_update: date_time_ymd(year, 1, 1),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: Vec::new(),
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&pki.intermediate)
        .expect("CRL")
        .pem()
        .expect("CRL PEM")
    };
    let anchor = pki.root_pem.clone();
    let stale = crl_valid_until(2021);
    let mut crl_path = PathBuf::new();
    let app = spawn_app_with(|s| {
        s.signexpert_ca_file = Some(beside_test_files(s, "signexpert-ca.pem", &anchor));
        crl_path = beside_test_files(s, "signexpert.crl.pem", &stale);
        s.signexpert_crl_file = Some(crl_path.clone());
    })
    .await;
    marie(&app);
    app.sign_in_with(&holder, Form::Plain)
        .await
        .assert_problem(503, "signexpert_unavailable");

    std::fs::write(&crl_path, crl_valid_until(2090)).expect("current CRL");
    std::fs::File::options()
        .write(true)
        .open(&crl_path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now() + Duration::from_secs(60)))
        .expect("touch the CRL");
    assert_eq!(
        app.sign_in_with(&holder, Form::Plain).await.status.as_u16(),
        201
    );
}

#[actix_web::test]
async fn a_staff_member_steps_up_with_their_certificate_and_the_support_removes_a_lost_one() {
    use comptexpert::{domain::states::StaffRoleKind, flows::staff::roles};
    use diesel::prelude::*;

    let pki = TestPki::new("Main");
    let app = spawn_trusting(&pki).await;
    let agent = app.add_active_account("s.agent", "Support-2026!", "agent@ordre.fr");
    let rac = app.add_active_account("j.martin", "Rac-2026!", "jeanne@cabinet.fr");
    roles::grant_by_operator(&app.context, "s.agent".into(), StaffRoleKind::Support, None)
        .await
        .expect("granted");
    let (agent_access, _) = app.signed_in(&agent).await;
    let (rac_access, _) = app.signed_in(&rac).await;
    let agent_card = pki.issue(UserCert {
        common_name: "Sam Agent",
        supra_number: None,
        ..UserCert::default()
    });
    let rac_card = pki.issue(UserCert {
        common_name: "Jeanne Martin",
        supra_number: None,
        ..UserCert::default()
    });
    for (access, holder) in [(&agent_access, &agent_card), (&rac_access, &rac_card)] {
        let enrolled = app.enrol_certificate(access, holder).await;
        assert_eq!(enrolled.status.as_u16(), 201, "{:?}", enrolled.json());
    }

    // The agent's sign-in is older than 15 minutes: a staff action waits for a step-up.
    {
        use comptexpert::db::schema::sessions;
        let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
        let mut conn = pool.get().expect("connection");
        diesel::update(sessions::table.filter(sessions::account_id.eq(&agent.id)))
            .set(sessions::created_at.eq(comptexpert::db::now() - chrono::Duration::minutes(20)))
            .execute(&mut *conn)
            .expect("aged");
    }
    let credentials = format!("/v1/staff/accounts/{}/credentials", rac.id);
    app.send(app.authed(Method::GET, &credentials, &agent_access), None)
        .await
        .assert_problem(403, "step_up_required");
    // Someone else's certificate does not confirm the agent.
    let challenge = app.signexpert_challenge().await;
    app.send(
        app.authed(Method::POST, "/v1/staff/step-up/signexpert", &agent_access),
        Some(rac_card.proof(&challenge, Form::Plain)),
    )
    .await
    .assert_problem(401, "certificate_not_linked");
    let challenge = app.signexpert_challenge().await;
    let stepped = app
        .send(
            app.authed(Method::POST, "/v1/staff/step-up/signexpert", &agent_access),
            Some(agent_card.proof(&challenge, Form::Plain)),
        )
        .await;
    assert_eq!(stepped.status.as_u16(), 204, "{:?}", stepped.json());
    // The challenge is used up.
    app.send(
        app.authed(Method::POST, "/v1/staff/step-up/signexpert", &agent_access),
        Some(agent_card.proof(&challenge, Form::Plain)),
    )
    .await
    .assert_problem(401, "invalid_challenge");

    // The support lists the RAC's certificates and removes the lost one: it signs in no more.
    let listed = app
        .send(app.authed(Method::GET, &credentials, &agent_access), None)
        .await;
    assert_eq!(listed.status.as_u16(), 200, "{:?}", listed.json());
    let certificate_id = listed.json()["certificates"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(listed.json()["devices"], json!([]));
    let path = format!(
        "/v1/staff/accounts/{}/certificates/{certificate_id}",
        rac.id
    );
    let removed = app
        .send(app.authed(Method::DELETE, &path, &agent_access), None)
        .await;
    assert_eq!(removed.status.as_u16(), 204);
    app.send(app.authed(Method::DELETE, &path, &agent_access), None)
        .await
        .assert_problem(404, "not_found");
    app.sign_in_with(&rac_card, Form::Plain)
        .await
        .assert_problem(401, "certificate_not_linked");
    let events = security_events(&app, &rac_access).await;
    assert_eq!(events[0].0, "certificate_removed_by_support");
    let pool = comptexpert::db::build_pool(&app.database_url).expect("pool");
    let records = comptexpert::db::staff::AuditRecord::of_target(
        &mut pool.get().expect("c"),
        "account",
        &rac.id,
    )
    .expect("records");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].action, "account.certificate_removed");
    assert!(records[0]
        .before_value
        .as_deref()
        .is_some_and(|v| v.contains("Jeanne Martin")));
}
