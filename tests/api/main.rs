//! Black-box tests of the ComptExpert API through HTTP. Run against SQLite by default and
//! against PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;

mod demo;
mod errors;
mod health;
mod import;
mod openapi;
mod reference;
