//! Paying contributions, reading a payment, and the bank's or provider's signed events that
//! settle them.

use std::collections::HashMap;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        attachments,
        payments::{Allocation, Payment},
        registry::{Bureau, Campaign, Firm},
        DbConnection,
    },
    error::{ApiError, ErrorCode},
    flows::portal::{region_access, RegionAccess},
};

pub mod cancel;
pub mod expire;
pub mod pay;
pub mod settle_event;

/// A payment with what its views and documents show: its firm, its campaign, and each
/// part with the bureau's reference and the person's name.
#[derive(Debug)]
pub struct PaymentRecord {
    pub payment: Payment,
    pub firm: Firm,
    pub campaign: Campaign,
    /// The reference of the bureau the payment is for (`None` for a grouped payment); it is
    /// always among its parts' bureaux.
    pub bureau_ref: Option<String>,
    pub parts: Vec<PaymentPart>,
}

/// One part of a payment: what it settles.
#[derive(Debug)]
pub struct PaymentPart {
    pub allocation: Allocation,
    pub bureau_ref: String,
    /// The attached person's name; `None` for the bureau's fixed part.
    pub person_name: Option<String>,
}

impl PaymentRecord {
    /// Reads what goes with `payment`, in a fixed number of queries.
    pub fn load(conn: &mut DbConnection, payment: Payment) -> Result<Self, ApiError> {
        let allocations = payment.allocations(conn)?;
        let bureau_ids: Vec<String> = allocations.iter().map(|p| p.bureau_id.clone()).collect();
        let refs: HashMap<String, String> = Bureau::find_all(conn, &bureau_ids)?
            .into_iter()
            .map(|b| (b.id, b.bureau_ref))
            .collect();
        let person_ids: Vec<String> = allocations
            .iter()
            .filter_map(|p| p.attachment_id.clone())
            .collect();
        let names = attachments::names(conn, &person_ids)?;
        let firm = Firm::find(conn, &payment.firm_id)?.ok_or_else(payment_not_found)?;
        let campaign = Campaign::find(conn, &payment.campaign_id)?.ok_or_else(payment_not_found)?;
        let parts = allocations
            .into_iter()
            .map(|allocation| PaymentPart {
                bureau_ref: refs.get(&allocation.bureau_id).cloned().unwrap_or_default(),
                person_name: allocation
                    .attachment_id
                    .as_ref()
                    .and_then(|a| names.get(a).cloned()),
                allocation,
            })
            .collect();
        Ok(Self {
            bureau_ref: payment
                .bureau_id
                .as_ref()
                .and_then(|b| refs.get(b).cloned()),
            payment,
            firm,
            campaign,
            parts,
        })
    }
}

/// The payment `id` of `region_code` with what goes with it, if the caller may see every
/// bureau it settles (`payment_not_found` otherwise, like one that does not exist).
pub async fn get_payment(
    ctx: &ApiContext,
    auth: &Authenticated,
    region_code: String,
    id: String,
) -> Result<PaymentRecord, ApiError> {
    let access = region_access(ctx, auth, region_code.clone()).await?;
    ctx.db
        .run(move |conn| {
            let payment = visible_payment(conn, &access, &region_code, &id)?;
            PaymentRecord::load(conn, payment)
        })
        .await
}

/// The payment `id` of `region_code` if the caller may see every bureau it settles.
pub fn visible_payment(
    conn: &mut DbConnection,
    access: &RegionAccess,
    region_code: &str,
    id: &str,
) -> Result<Payment, ApiError> {
    let payment = Payment::find_in_region(conn, id, region_code)?.ok_or_else(payment_not_found)?;
    let bureaux = Payment::bureau_ids(conn, &payment.id)?;
    if bureaux.is_empty() || !bureaux.iter().all(|b| access.visible.contains(b)) {
        return Err(payment_not_found());
    }
    Ok(payment)
}

/// 404 `payment_not_found`.
pub fn payment_not_found() -> ApiError {
    ApiError::of(ErrorCode::PaymentNotFound)
}
