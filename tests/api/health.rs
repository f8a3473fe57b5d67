use crate::helpers::spawn_app;

#[actix_web::test]
async fn health_answers_ok() {
    let app = spawn_app().await;
    let response = app.health().await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.json()["status"], "ok");
}

#[actix_web::test]
async fn ready_reports_the_backend_once_migrations_are_applied() {
    let app = spawn_app().await;
    let response = app.ready().await;
    assert_eq!(response.status.as_u16(), 200);
    let expected = if app.database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(response.json()["database"], expected);
}
