//! The OpenID Connect provider's endpoints for the Ordre's other sites (relying parties), under
//! `/oauth2`, beside the discovery document in [`super::well_known`].

pub mod authorize;
pub mod logout;
pub mod token;
pub mod userinfo;

use actix_web::{http::header, HttpRequest, HttpResponse};

/// The SSO cookie: `__Host-` so that it is Secure, for this origin only, on every path.
pub const SSO_COOKIE: &str = "__Host-comptexpert-sso";

/// The value of the SSO cookie the browser sent, if any (`Cookie: a=b; c=d`).
pub fn sso_cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SSO_COOKIE)
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

/// A `302 Found` to `location` that no cache keeps (codes and login requests are single use).
pub fn found(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
