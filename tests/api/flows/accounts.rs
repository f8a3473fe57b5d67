//! `flows::accounts`: registering a member of the register.

use comptexpert::{
    flows::{
        accounts::register_member::{register_member, MemberRequest},
        Client,
    },
    registration::MemberRegistration,
};

use crate::{fixtures::MemberSpec, helpers::spawn_app};

fn client() -> Client {
    Client::new("192.0.2.20", None)
}

#[actix_web::test]
async fn a_member_is_registered_once_then_reminded_at_the_registers_address() {
    let app = spawn_app().await;
    let member_ref = app.add_member(MemberSpec::default());
    let request = || MemberRequest {
        quality: "expert_comptable_independant".into(),
        member_ref: member_ref.clone(),
    };

    let first = register_member(&app.context, request(), client())
        .await
        .expect("registered");
    assert_eq!(first.registration, MemberRegistration::Created);
    assert_eq!(first.email, "marie.durand@cabinet-durand.fr");

    let again = register_member(&app.context, request(), client())
        .await
        .expect("answered");
    assert_eq!(again.registration, MemberRegistration::AlreadyExists);
}

#[actix_web::test]
async fn an_unknown_register_entry_is_refused() {
    let app = spawn_app().await;
    let refused = register_member(
        &app.context,
        MemberRequest {
            quality: "expert_comptable_independant".into(),
            member_ref: "00000000-0000-0000-0000-000000000000".into(),
        },
        client(),
    )
    .await
    .expect_err("refused");
    assert!(refused.status().is_client_error(), "{:?}", refused.code());
}
