//! Where a request comes from, extracted once for every route that records or limits it, and
//! for the request log: behind a trusted proxy, the address it forwards (see [`crate::proxies`]).

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, FromRequest, HttpRequest};

use crate::{error::ApiError, flows::Client, proxies::client_address};

impl Client {
    /// Where `req` comes from.
    pub fn of_request(req: &HttpRequest) -> Self {
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        Client::new(client_address(req), user_agent)
    }
}

impl FromRequest for Client {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Client::of_request(req)))
    }
}
