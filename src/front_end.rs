//! The pages of the front end that emails and the test payment provider link to, under
//! `FRONTEND_URL` (README: "Pages the front end provides"). The API serves none of them; the
//! tokens they carry travel in the URL fragment, which browsers never send to a server.

/// Choose a password: activation and reset links (`#token=…`); calls
/// `GET` then `POST /v1/password-tokens/{token}`.
pub const PASSWORD_PAGE: &str = "/mot-de-passe";
/// Confirm a new address (`#token=…`); calls `POST /v1/email-verifications/{token}`.
pub const EMAIL_VERIFICATION_PAGE: &str = "/verification-email";
/// "Identifiant ou mot de passe oublié"; calls `POST /v1/recovery`.
pub const RECOVERY_PAGE: &str = "/identifiant-oublie";
/// The test payment provider's checkout (`/paiement-test/{reference}`).
pub const TEST_PAYMENT_PAGE: &str = "/paiement-test";

/// Whether `path` is one of the front end's pages (asked of the API by mistake).
pub fn is_front_end_page(path: &str) -> bool {
    [PASSWORD_PAGE, EMAIL_VERIFICATION_PAGE, RECOVERY_PAGE]
        .iter()
        .any(|page| path == *page || path.strip_prefix(*page) == Some("/"))
        || path.starts_with(&format!("{TEST_PAYMENT_PAGE}/"))
}
