//! Use cases: one public function per workflow of the guide, between the routes and storage.
//!
//! How a flow reads, so that every one of them reads the same way:
//! - it takes the shared [`ApiContext`] (pool, keys, settings, clock), plain inputs (domain
//!   newtypes, strings that it parses itself), the caller's identity when the workflow has one
//!   ([`crate::auth::extractor::Authenticated`]) and where the request comes from ([`Client`]);
//! - it owns its transaction: the state it answers with is committed before it returns;
//! - it returns a domain outcome: an enum when the workflow can end in more than one way that the
//!   caller must tell apart (signed in, denied, locked), a plain value when it succeeds one way,
//!   and [`ApiError`](crate::error::ApiError) built from an [`ErrorCode`](crate::error::ErrorCode)
//!   when it refuses;
//! - it knows no HTTP: no request, no response, no header. The route maps the outcome to a status
//!   and a body; a flow file holds the rule in the guide's words and the calls into `auth`,
//!   `contributions`, `payments`, `mail` and `db` that carry it out.
//!
//! Dependencies run one way: routes → flows → (auth, contributions, payments, mail, registration)
//! → db → domain. Nothing below `routes` imports from it.
//!
//! [`ApiContext`]: crate::context::ApiContext

pub mod accounts;
pub mod bureaux;
pub mod cas;
pub mod clients;
pub mod declarations;
pub mod documents;
pub mod expertpass;
pub mod health;
pub mod maintenance;
pub mod me;
pub mod oidc;
pub mod payments;
pub mod portal;
pub mod recovery;
pub mod reference;
pub mod regions;
pub mod registry;
pub mod sessions;
pub mod signexpert;
pub mod staff;
pub mod support;

/// Where a request comes from, as the workflows record it (security history, rate limits) and
/// show it (the sessions list, the Expertpass context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The client's address as this server sees it.
    pub address: String,
    /// The `User-Agent` it sent, cut to [`Client::USER_AGENT_MAX_CHARS`] characters.
    pub user_agent: Option<String>,
}

impl Client {
    /// The longest user agent kept.
    pub const USER_AGENT_MAX_CHARS: usize = 200;

    /// A client at `address`, with the user agent it sent (cut to the kept length).
    pub fn new(address: impl Into<String>, user_agent: Option<&str>) -> Self {
        Self {
            address: address.into(),
            user_agent: user_agent.map(|ua| ua.chars().take(Self::USER_AGENT_MAX_CHARS).collect()),
        }
    }
}
