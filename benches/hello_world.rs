//! The request-overhead baseline of the benchmark: a bare actix-web handler with the same worker
//! count as the service, so that "authenticated reads ≥ 40 % of hello-world" compares like with like.

use actix_web::{get, App, HttpResponse, HttpServer};

#[get("/health")]
async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:18081".into());
    HttpServer::new(|| App::new().service(health))
        .bind(addr)?
        .run()
        .await
}
