//! `flows::signexpert`: challenges, sign-in with a certificate proof, and the certificates
//! enrolled on an account, each called directly as its route calls it. The certificates come
//! from the `TestPki` of the HTTP tests.

use comptexpert::{
    auth::{extractor::Authenticated, signexpert::signed_message},
    flows::{
        sessions::sign_in::{sign_in as password_sign_in, Credentials, SignIn},
        signexpert::{
            create_challenge::create_challenge,
            enrol_certificate::enrol_certificate,
            list_certificates::list_certificates,
            remove_certificate::remove_certificate,
            sign_in::{sign_in, CertificateProof},
        },
        Client,
    },
};

use crate::{
    helpers::{spawn_app, TestApp},
    signexpert::{marie, spawn_trusting, CertificateHolder, Form, TestPki, UserCert},
};

fn client() -> Client {
    Client::new("192.0.2.44", Some("Signexpert-middleware/1.0"))
}

/// A fresh challenge, signed by `holder`.
async fn proof_by(app: &TestApp, holder: &CertificateHolder) -> CertificateProof {
    let challenge = create_challenge(&app.context, client())
        .await
        .expect("challenge");
    CertificateProof {
        signature: holder.sign(
            &signed_message(&challenge.id, &challenge.nonce),
            Form::Plain,
        ),
        challenge_id: challenge.id,
        certificate_chain_pem: holder.chain_pem.clone(),
        signature_algorithm: None,
    }
}

/// `identifier` signed in with its password: the caller of the `/me/certificates` flows.
async fn signed_in(app: &TestApp, identifier: &str, password: &str) -> Authenticated {
    let credentials = Credentials {
        identifier: identifier.into(),
        password: password.into(),
        keep_session_active: false,
    };
    let SignIn::SignedIn(signed_in) = password_sign_in(&app.context, credentials, client())
        .await
        .expect("no error")
    else {
        panic!("not signed in");
    };
    Authenticated {
        account_id: signed_in.account.id,
        session_id: signed_in.session.id,
        amr: signed_in.session.amr,
    }
}

#[actix_web::test]
async fn without_trust_anchors_no_challenge_is_given() {
    let app = spawn_app().await;
    let error = create_challenge(&app.context, client())
        .await
        .expect_err("unavailable");
    assert_eq!(error.code().as_str(), "signexpert_unavailable");
}

#[actix_web::test]
async fn a_challenge_lives_two_minutes() {
    let pki = TestPki::new("Flows");
    let app = spawn_trusting(&pki).await;
    let challenge = create_challenge(&app.context, client())
        .await
        .expect("challenge");
    assert_eq!(
        challenge.expires_at - challenge.created_at,
        chrono::Duration::minutes(2)
    );
    assert!(challenge.used_at.is_none() && !challenge.nonce.is_empty());
}

#[actix_web::test]
async fn a_members_certificate_signs_in_to_their_account_with_a_challenge_used_once() {
    let pki = TestPki::new("Flows");
    let app = spawn_trusting(&pki).await;
    let account = marie(&app);
    let holder = pki.issue(UserCert::default());

    let proof = proof_by(&app, &holder).await;
    let challenge_id = proof.challenge_id.clone();
    let signed_in = sign_in(&app.context, proof, true, client())
        .await
        .expect("signed in");
    assert_eq!(signed_in.account.id, account.id);
    assert_eq!(signed_in.session.amr, "x509");
    assert!(signed_in.session.keep_active);

    let replay = CertificateProof {
        challenge_id,
        certificate_chain_pem: holder.chain_pem.clone(),
        signature: "AAAA".into(),
        signature_algorithm: None,
    };
    let error = sign_in(&app.context, replay, false, client())
        .await
        .expect_err("used");
    assert_eq!(error.code().as_str(), "invalid_challenge");
}

#[actix_web::test]
async fn a_valid_certificate_of_no_account_is_not_linked() {
    let pki = TestPki::new("Flows");
    let app = spawn_trusting(&pki).await;
    let holder = pki.issue(UserCert::default());
    let proof = proof_by(&app, &holder).await;
    let error = sign_in(&app.context, proof, false, client())
        .await
        .expect_err("no member 12345678");
    assert_eq!(error.code().as_str(), "certificate_not_linked");
}

#[actix_web::test]
async fn an_enrolled_certificate_signs_in_to_its_account_until_its_owner_removes_it() {
    let pki = TestPki::new("Flows");
    let app = spawn_trusting(&pki).await;
    let member = marie(&app);
    app.add_active_account("cabinet", "Cabinet-2026!", "cabinet@example.fr");
    let owner = signed_in(&app, "cabinet", "Cabinet-2026!").await;
    let stranger = signed_in(&app, "mdurand", &member.password).await;
    let holder = pki.issue(UserCert::default());

    let proof = proof_by(&app, &holder).await;
    let enrolled = enrol_certificate(&app.context, &owner, proof, client())
        .await
        .expect("enrolled");
    assert_eq!(enrolled.account_id, owner.account_id);
    let proof = proof_by(&app, &holder).await;
    let twice = enrol_certificate(&app.context, &stranger, proof, client())
        .await
        .expect_err("enrolled already");
    assert_eq!(twice.code().as_str(), "certificate_already_enrolled");

    // The enrolment wins over the SUPRA number the certificate carries.
    let proof = proof_by(&app, &holder).await;
    let signed_in = sign_in(&app.context, proof, false, client())
        .await
        .expect("signed in");
    assert_eq!(signed_in.account.id, owner.account_id);

    let listed = list_certificates(&app.context, &owner)
        .await
        .expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, enrolled.id);
    assert!(listed[0].last_used_at.is_some(), "the sign-in touched it");
    assert!(list_certificates(&app.context, &stranger)
        .await
        .expect("listed")
        .is_empty());

    let error = remove_certificate(&app.context, &stranger, enrolled.id.clone(), client())
        .await
        .expect_err("not theirs");
    assert_eq!(error.code().as_str(), "not_found");
    remove_certificate(&app.context, &owner, enrolled.id.clone(), client())
        .await
        .expect("removed");
    assert!(list_certificates(&app.context, &owner)
        .await
        .expect("listed")
        .is_empty());
    let proof = proof_by(&app, &holder).await;
    let back = sign_in(&app.context, proof, false, client())
        .await
        .expect("signed in by SUPRA number");
    assert_eq!(back.account.id, member.id);
    assert_eq!(
        app.outbox_rows_to("cabinet@example.fr").len(),
        2,
        "enrolled, removed"
    );
}
