//! The OpenID Connect provider's use cases: the authorization request, the front end's part of
//! a headless sign-in, the token and userinfo endpoints, logout and its back-channel notices.

pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod login_requests;
pub mod logout;
pub mod token;
pub mod userinfo;
