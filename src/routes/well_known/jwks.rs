use actix_web::{get, web, HttpResponse};

use crate::{auth::keys::Jwks, context::ApiContext};

/// The public keys that verify this service's tokens (JWKS, RFC 7517): the Ed25519 keys of
/// access tokens (`EdDSA`), and the RSA keys of OpenID Connect ID tokens (`RS256`). Other sites
/// of the Ordre verify tokens offline with these; match a token's `kid` header to a key's `kid`.
#[utoipa::path(tag = "sessions", responses((status = 200, description = "The key set", body = Jwks)))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(ctx: web::Data<ApiContext>) -> HttpResponse {
    let mut keys = ctx.keys.current().jwks().keys.clone();
    if let Some(rsa) = &ctx.id_token_keys {
        keys.extend(rsa.jwks().cloned());
    }
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(Jwks { keys })
}
