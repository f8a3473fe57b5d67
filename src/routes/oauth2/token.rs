use actix_web::{http::header, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    flows::oidc::token::{
        basic_credentials, exchange, OAuthError, TokenFailure, TokenRequest, TokenResponse,
    },
};

/// An OAuth error (RFC 6749 §5.2), as client libraries read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`.
    #[schema(example = "invalid_grant")]
    pub error: String,
    pub error_description: String,
}

/// The form, parsed here rather than by the framework so that a malformed one is OAuth's
/// `invalid_request` too; a parameter given twice is refused (RFC 6749 §3.2).
fn parse_form(body: &[u8]) -> Result<TokenRequest, OAuthError> {
    let mut request = TokenRequest::default();
    for (name, value) in url::form_urlencoded::parse(body) {
        let slot = match name.as_ref() {
            "grant_type" => &mut request.grant_type,
            "code" => &mut request.code,
            "redirect_uri" => &mut request.redirect_uri,
            "code_verifier" => &mut request.code_verifier,
            "refresh_token" => &mut request.refresh_token,
            "client_id" => &mut request.client_id,
            "client_secret" => &mut request.client_secret,
            "scope" => &mut request.scope,
            _ => continue,
        };
        if slot.is_some() {
            return Err(OAuthError {
                error: "invalid_request",
                description: format!("{name} is given more than once"),
                basic_challenge: false,
            });
        }
        *slot = Some(value.into_owned()).filter(|v| !v.is_empty());
    }
    Ok(request)
}

fn no_store(mut response: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    response
}

fn oauth_error(error: OAuthError) -> HttpResponse {
    let mut response = if error.error == "invalid_client" {
        HttpResponse::Unauthorized()
    } else {
        HttpResponse::BadRequest()
    };
    if error.basic_challenge {
        response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="comptexpert""#));
    }
    no_store(response).json(OAuthErrorBody {
        error: error.error.to_owned(),
        error_description: error.description,
    })
}

/// The token endpoint (RFC 6749 §3.2, OpenID Connect Core §3.1.3), form-encoded:
/// `grant_type=authorization_code` (`code`, `redirect_uri`, `code_verifier` with PKCE) or
/// `grant_type=refresh_token` (`refresh_token`). Clients authenticate with HTTP Basic
/// (`client_secret_basic`), `client_id` and `client_secret` in the form (`client_secret_post`),
/// or, public, `client_id` alone with PKCE. A code works once within 60 s; presented again, it
/// revokes the tokens it gave. Each refresh token works once: presented again, the grant is
/// revoked. Errors are OAuth's JSON (`error`, `error_description`).
#[utoipa::path(
    tag = "single sign-on",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `invalid_grant`, `unsupported_grant_type`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`", body = OAuthErrorBody),
    )
)]
#[post("/oauth2/token")]
pub async fn token(ctx: web::Data<ApiContext>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let form_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth_error(OAuthError {
            error: "invalid_request",
            description: "the body is application/x-www-form-urlencoded".into(),
            basic_challenge: false,
        });
    }
    let request = match parse_form(&body) {
        Ok(request) => request,
        Err(error) => return oauth_error(error),
    };
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let basic = match authorization {
        None => None,
        Some(value) => match basic_credentials(value) {
            Some(credentials) => Some(credentials),
            None => {
                return oauth_error(OAuthError {
                    error: "invalid_client",
                    description: "the Authorization header is not HTTP Basic client credentials"
                        .into(),
                    basic_challenge: true,
                })
            }
        },
    };
    match exchange(&ctx, request, basic).await {
        Ok(tokens) => no_store(HttpResponse::Ok()).json(tokens),
        Err(TokenFailure::OAuth(error)) => oauth_error(error),
        Err(TokenFailure::Service(error)) => error.error_response(),
    }
}
