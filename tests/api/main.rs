//! Black-box tests of the ComptExpert API through HTTP. Run against SQLite by default and
//! against PostgreSQL when `TEST_DATABASE_URL` is set.

mod fixtures;
mod flows;
mod front_end_pages;
mod helpers;

mod account;
mod cas;
mod clients;
mod declarations;
mod demo;
mod demo_walk;
mod errors;
mod expertpass;
mod health;
mod import;
mod instances;
mod large_amounts;
mod login_requests;
mod logs;
mod mail;
mod mailbox;
mod maintenance;
mod metrics;
mod migrations;
mod oidc;
mod openapi;
mod outage;
mod payments;
mod payments_world;
mod portal;
mod portal_fixtures;
mod proxies;
mod reference;
mod registration;
mod registry;
mod request_errors;
mod service_process;
mod session_checks;
mod session_lifetime;
mod sessions;
mod signexpert;
mod smtp_sink;
mod staff;
mod support;
mod where_things_are;
