//! Each use case of `comptexpert::flows` called directly, with the running application's
//! context: the outcome enums as the routes receive them, on SQLite and (with
//! `TEST_DATABASE_URL`) on PostgreSQL. The HTTP mapping of each is tested beside its endpoint.

mod accounts;
mod bureaux;
mod declarations;
mod documents;
mod expertpass;
mod me;
mod payment_endings;
mod payments;
mod recovery;
mod reference;
mod regions;
mod registry;
mod sessions;
mod signexpert;
