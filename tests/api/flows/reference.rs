//! `flows::reference` and `flows::health`.

use comptexpert::{
    db::BackendKind,
    flows::{health, reference},
};

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_reference_lists_come_in_the_guides_order() {
    let app = spawn_app().await;
    let qualities = reference::list_qualities(&app.context)
        .await
        .expect("qualités");
    assert_eq!(
        qualities.len(),
        11,
        "ten register qualités and Autre profil"
    );
    assert_eq!(qualities[0].code, "expert_comptable_independant");
    assert!(qualities
        .iter()
        .any(|q| q.registration_path == "external_form"));
    let regions = reference::list_regions(&app.context)
        .await
        .expect("regions");
    assert_eq!(regions.len(), 24);
    assert!(regions.iter().any(|r| r.code == "paris-ile-de-france"));
}

#[actix_web::test]
async fn a_migrated_instance_is_ready_on_its_own_backend() {
    let app = spawn_app().await;
    let expected = if app.database_url.starts_with("postgres") {
        BackendKind::Postgres
    } else {
        BackendKind::Sqlite
    };
    assert_eq!(
        health::readiness(&app.context).await.expect("checked"),
        health::InstanceState::Ready(expected)
    );
}
