//! Who carries a payment. Bank transfers are confirmed by the bank-statement reconciliation
//! feed (provider `bank`); card and direct-debit payments go through a [`PaymentProvider`].
//! The shipped [`TestProvider`] never moves money: its checkout page does not exist, and its
//! payments are confirmed only by a signed webhook, which is how the tests and a demo drive it.
//!
//! A real provider plugs in by implementing [`PaymentProvider`] (opening a checkout with the
//! provider's API in `start`, and, if its notifications are not in our format, reading them in
//! `read_webhook`), and by being returned from [`Providers::from_name`] for its
//! `PAYMENT_PROVIDER` name.

use std::sync::Arc;

use rand::Rng;

use super::webhook::{self, WebhookError, WebhookEvent};

/// How the payer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    /// Bank transfer quoting a reference; pending until the bank feed confirms it.
    Transfer,
    /// Card, through the provider's checkout page.
    Card,
    /// SEPA direct debit, through the provider.
    DirectDebit,
}

impl PaymentMethod {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transfer => "transfer",
            Self::Card => "card",
            Self::DirectDebit => "direct_debit",
        }
    }

    /// The French label of documents.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Transfer => "Virement bancaire",
            Self::Card => "Carte bancaire",
            Self::DirectDebit => "Prélèvement SEPA",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Transfer, Self::Card, Self::DirectDebit]
            .into_iter()
            .find(|m| m.as_str() == value)
    }
}

/// What a provider needs to open a checkout for a pending payment.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    /// Our payment id: providers keep it as metadata and as their idempotency key.
    pub payment_id: &'a str,
    pub method: PaymentMethod,
    pub amount_cents: i64,
    pub campaign_year: i32,
    /// What the payer sees ("Cotisations 2026 – Cabinet Durand").
    pub description: &'a str,
}

/// An opened checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// How the provider's notifications will name the payment (for a transfer: the reference
    /// the payer quotes).
    pub provider_reference: String,
    /// Where to send the payer, if anywhere.
    pub redirect_url: Option<String>,
}

/// The provider could not open the checkout.
#[derive(Debug, thiserror::Error)]
#[error("payment provider unavailable: {0}")]
pub struct ProviderError(pub String);

/// A payment service. `start` is called on a blocking thread and outside any database
/// transaction, after the payment is reserved: an implementation may make blocking HTTP calls.
pub trait PaymentProvider: Send + Sync {
    /// Its name in `/v1/payments/webhooks/{name}` and in the payments table.
    fn name(&self) -> &'static str;

    /// Whether it carries this method.
    fn supports(&self, method: PaymentMethod) -> bool;

    /// Opens a checkout for a pending payment.
    fn start(&self, request: &CheckoutRequest<'_>) -> Result<Checkout, ProviderError>;

    /// Authenticates a notification and reads it. The default is the signed format of the
    /// README (HMAC-SHA256 over the timestamp and the raw body).
    fn read_webhook(
        &self,
        secret: &[u8],
        signature: Option<&str>,
        body: &[u8],
        now_unix: i64,
    ) -> Result<WebhookEvent, WebhookError> {
        webhook::verify(secret, signature, body, now_unix)?;
        webhook::parse_event(body)
    }
}

/// Transfers: the reference to quote is made here; the bank-statement reconciliation feed
/// confirms the payment through `/v1/payments/webhooks/bank`.
#[derive(Debug, Default)]
pub struct BankTransfer;

/// Letters and digits that cannot be misread (no I, L, O, U).
const REFERENCE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl BankTransfer {
    /// `CE-2026-K7Q4-M2ZP`: short enough for any bank's label field, 40 random bits.
    pub fn new_reference(campaign_year: i32) -> String {
        let mut rng = rand::thread_rng();
        let mut pick = || REFERENCE_ALPHABET[rng.gen_range(0..REFERENCE_ALPHABET.len())] as char;
        let first: String = (0..4).map(|_| pick()).collect();
        let second: String = (0..4).map(|_| pick()).collect();
        format!("CE-{campaign_year}-{first}-{second}")
    }
}

impl PaymentProvider for BankTransfer {
    fn name(&self) -> &'static str {
        "bank"
    }

    fn supports(&self, method: PaymentMethod) -> bool {
        method == PaymentMethod::Transfer
    }

    fn start(&self, request: &CheckoutRequest<'_>) -> Result<Checkout, ProviderError> {
        Ok(Checkout {
            provider_reference: Self::new_reference(request.campaign_year),
            redirect_url: None,
        })
    }
}

/// The provider shipped for tests and demos: card and direct debit, no network, no money.
#[derive(Debug)]
pub struct TestProvider {
    /// Base of the (fictitious) checkout pages.
    pub checkout_base: String,
}

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn supports(&self, method: PaymentMethod) -> bool {
        matches!(method, PaymentMethod::Card | PaymentMethod::DirectDebit)
    }

    fn start(&self, request: &CheckoutRequest<'_>) -> Result<Checkout, ProviderError> {
        let reference = format!("test_{}", request.payment_id.replace('-', ""));
        Ok(Checkout {
            redirect_url: Some(format!("{}/{reference}", self.checkout_base)),
            provider_reference: reference,
        })
    }
}

/// The providers of this instance.
#[derive(Clone)]
pub struct Providers {
    bank: Arc<BankTransfer>,
    /// Card and direct debit; `None` when `PAYMENT_PROVIDER=none`.
    online: Option<Arc<dyn PaymentProvider>>,
}

impl Providers {
    /// The providers for a `PAYMENT_PROVIDER` name (`test`, or `none`); `None` for an unknown name.
    pub fn from_name(name: &str, frontend_url: &str) -> Option<Self> {
        let online: Option<Arc<dyn PaymentProvider>> = match name {
            "none" => None,
            "test" => Some(Arc::new(TestProvider {
                checkout_base: format!("{frontend_url}{}", crate::front_end::TEST_PAYMENT_PAGE),
            })),
            _ => return None,
        };
        Some(Self {
            bank: Arc::new(BankTransfer),
            online,
        })
    }

    /// Who carries `method`, if anyone here does.
    pub fn for_method(&self, method: PaymentMethod) -> Option<Arc<dyn PaymentProvider>> {
        if method == PaymentMethod::Transfer {
            return Some(self.bank.clone());
        }
        self.online.clone().filter(|p| p.supports(method))
    }

    /// The provider whose webhooks arrive at `/v1/payments/webhooks/{name}`.
    pub fn by_name(&self, name: &str) -> Option<Arc<dyn PaymentProvider>> {
        if name == self.bank.name() {
            return Some(self.bank.clone());
        }
        self.online.clone().filter(|p| p.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_references_are_short_and_unambiguous() {
        let reference = BankTransfer::new_reference(2026);
        assert_eq!(reference.len(), "CE-2026-XXXX-XXXX".len());
        assert!(reference.starts_with("CE-2026-"));
        assert!(reference[8..]
            .bytes()
            .all(|b| b == b'-' || REFERENCE_ALPHABET.contains(&b)));
        assert_ne!(reference, BankTransfer::new_reference(2026));
    }

    #[test]
    fn each_method_has_its_provider() {
        let providers = Providers::from_name("test", "https://x.test").expect("known");
        assert_eq!(
            providers
                .for_method(PaymentMethod::Transfer)
                .map(|p| p.name()),
            Some("bank")
        );
        assert_eq!(
            providers.for_method(PaymentMethod::Card).map(|p| p.name()),
            Some("test")
        );
        let offline = Providers::from_name("none", "https://x.test").expect("known");
        assert!(offline.for_method(PaymentMethod::DirectDebit).is_none());
        assert!(Providers::from_name("stripe", "https://x.test").is_none());
    }
}
