//! Where a request comes from, extracted once for every route that records or limits it, and
//! for the request log: behind a trusted proxy, the address it forwards (see [`crate::proxies`]).

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::{context::ApiContext, error::ApiError, flows::Client};

/// The client's address: the peer's, or behind a proxy of `TRUSTED_PROXIES` the one its header gives.
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr() else {
        return "unknown".to_owned();
    };
    let ctx = req.app_data::<web::Data<ApiContext>>();
    let Some((proxies, name)) = ctx.and_then(|ctx| {
        let proxies = &ctx.settings.trusted_proxies;
        proxies.header().map(|header| (proxies, header.name()))
    }) else {
        return peer.ip().to_string();
    };
    let values = req.headers().get_all(name).filter_map(|v| v.to_str().ok());
    proxies.client_address(peer.ip(), values).to_string()
}

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
