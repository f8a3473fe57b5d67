//! Black-box tests of the ComptExpert API through HTTP. Run against SQLite by default and
//! against PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;

mod errors;
mod health;
mod mail;
mod mailbox;
mod openapi;
mod reference;
mod smtp_sink;
