//! The OpenID Connect provider's endpoints for the Ordre's other sites (relying parties), under
//! `/oauth2`, beside the discovery document in [`super::well_known`].

pub mod authorize;
pub mod logout;
pub mod token;
pub mod userinfo;

use actix_web::{http::header, HttpRequest, HttpResponse};

/// The SSO cookie: `__Host-` so that it is Secure, for this origin only, on every path.
pub const SSO_COOKIE: &str = "__Host-comptexpert-sso";

/// The login request this browser was sent to the login page with (set by `/oauth2/authorize`,
/// checked and cleared by `/oauth2/authorize/resume`).
pub const LOGIN_COOKIE: &str = "__Host-comptexpert-login";

/// The value of the cookie `name` the browser sent, if any (`Cookie: a=b; c=d`).
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

/// The value of the SSO cookie the browser sent, if any.
pub fn sso_cookie(req: &HttpRequest) -> Option<String> {
    cookie(req, SSO_COOKIE)
}

/// A `302` to the front end's login page `url` for the login request `request_id`, with the
/// cookie that binds its continuation to this browser (checked by `/oauth2/authorize/resume`).
pub fn to_login_page(url: &str, request_id: &str) -> Result<HttpResponse, crate::error::ApiError> {
    let mut response = found(url);
    response.headers_mut().insert(
        header::SET_COOKIE,
        header::HeaderValue::from_str(&format!(
            "{LOGIN_COOKIE}={request_id}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600"
        ))
        .map_err(crate::error::ApiError::internal)?,
    );
    Ok(response)
}

/// A `302 Found` to `location` that no cache keeps (codes and login requests are single use).
pub fn found(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
