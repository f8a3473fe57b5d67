use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    oidc::{
        clients::KNOWN_SCOPES,
        tokens::{ACR_VALUES, AMR_VALUES},
    },
};

/// The provider's metadata (OpenID Connect Discovery 1.0 §3), every URL under the issuer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderMetadata {
    /// The issuer: the service's public address (the PUBLIC_URL setting).
    #[schema(example = "https://comptexpert.experts-comptables.fr")]
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub end_session_endpoint: String,
    pub scopes_supported: Vec<&'static str>,
    pub response_types_supported: Vec<&'static str>,
    pub response_modes_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub subject_types_supported: Vec<&'static str>,
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    pub claims_supported: Vec<&'static str>,
    pub prompt_values_supported: Vec<&'static str>,
    pub acr_values_supported: Vec<&'static str>,
    pub amr_values_supported: Vec<&'static str>,
    pub claims_parameter_supported: bool,
    pub request_parameter_supported: bool,
    pub request_uri_parameter_supported: bool,
    pub authorization_response_iss_parameter_supported: bool,
    pub backchannel_logout_supported: bool,
    pub backchannel_logout_session_supported: bool,
}

/// The OpenID Connect discovery document: where a relying party's library finds the
/// endpoints, the keys (`jwks_uri`) and what is supported.
#[utoipa::path(
    tag = "single sign-on",
    responses((status = 200, description = "The provider's metadata", body = ProviderMetadata))
)]
#[get("/.well-known/openid-configuration")]
pub async fn openid_configuration(ctx: web::Data<ApiContext>) -> HttpResponse {
    let issuer = ctx.settings.issuer();
    let at = |path: &str| format!("{issuer}{path}");
    let metadata = ProviderMetadata {
        authorization_endpoint: at("/oauth2/authorize"),
        token_endpoint: at("/oauth2/token"),
        userinfo_endpoint: at("/oauth2/userinfo"),
        jwks_uri: at("/.well-known/jwks.json"),
        end_session_endpoint: at("/oauth2/logout"),
        issuer,
        scopes_supported: KNOWN_SCOPES.to_vec(),
        response_types_supported: vec!["code"],
        response_modes_supported: vec!["query"],
        grant_types_supported: vec!["authorization_code", "refresh_token"],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["RS256", "EdDSA"],
        token_endpoint_auth_methods_supported: vec![
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        code_challenge_methods_supported: vec!["S256"],
        claims_supported: vec![
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "amr",
            "acr",
            "sid",
            "azp",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
            "email",
            "email_verified",
            "ordre",
        ],
        prompt_values_supported: vec!["none", "login", "consent", "select_account"],
        acr_values_supported: ACR_VALUES.to_vec(),
        amr_values_supported: AMR_VALUES.to_vec(),
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        authorization_response_iss_parameter_supported: true,
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
    };
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(metadata)
}
