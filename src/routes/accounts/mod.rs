//! Creating accounts: members of the register, and the external "Autre profil" form.

pub mod create_external_account;
pub mod create_member_account;

use serde::Serialize;
use utoipa::ToSchema;

/// The registration was taken into account: a confirmation email is on its way.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationAccepted {
    /// Always `email_sent`.
    #[schema(example = "email_sent")]
    pub status: &'static str,
    /// The address the email went to, masked as in the guide.
    #[schema(example = "m…@exemple.fr")]
    pub email_masked: String,
}
