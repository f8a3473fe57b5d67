//! Email: French templates, the outbox every email goes through, the transports (SMTP or `.eml`
//! files) and the background dispatcher that delivers the outbox with retries.
//!
//! Code that sends an email calls [`outbox::enqueue`] inside the transaction of the change that
//! causes it; nothing else in the service talks to a mail server.

pub mod dispatcher;
pub mod outbox;
mod render;
pub mod templates;
pub mod transport;

pub use templates::{RenderedEmail, Template};
