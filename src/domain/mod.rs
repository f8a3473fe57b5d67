//! Domain newtypes and rules: a raw string never travels far before it is parsed into one of these.

pub mod allocation;
pub mod amount;
pub mod email;
pub mod iban;
pub mod identifier;
pub mod money;
pub mod names;
pub mod password;
pub mod person;
pub mod states;
pub mod supra;
pub mod tokens;
