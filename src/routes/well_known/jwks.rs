use actix_web::{get, web, HttpResponse};

use crate::{auth::keys::Jwks, context::ApiContext};

/// The public keys that verify access tokens (JWKS, RFC 7517). Other sites of the Ordre verify
/// tokens offline with these; match a token's `kid` header to a key's `kid`.
#[utoipa::path(tag = "sessions", responses((status = 200, description = "The key set", body = Jwks)))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(ctx: web::Data<ApiContext>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(ctx.keys.current().jwks())
}
