use actix_web::{http::StatusCode, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::get_payment::PaymentView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    error::{ApiError, ErrorCode, Problem},
    flows::payments::pay::{self as flow, PaymentTarget},
    idempotency,
    payments::provider::PaymentMethod,
};

/// How to pay.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Bank transfer: the payment stays pending until the transfer quoting its reference arrives.
    Transfer,
    /// Card, on the provider's checkout page.
    Card,
    /// SEPA direct debit, through the provider.
    DirectDebit,
}

impl From<Method> for PaymentMethod {
    fn from(method: Method) -> Self {
        match method {
            Method::Transfer => PaymentMethod::Transfer,
            Method::Card => PaymentMethod::Card,
            Method::DirectDebit => PaymentMethod::DirectDebit,
        }
    }
}

/// A payment to create.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub method: Method,
    /// Euros in cents. Absent: everything that remains to pay. Less is a partial payment;
    /// more than what remains (pending payments deducted) is refused (`overpayment`). One
    /// payment is at most 100000000000 cents (1 000 000 000,00 €): more, given or as everything
    /// that remains, is refused (`amount_too_large`) and a larger balance is paid in several.
    #[schema(example = 94050, minimum = 1, maximum = 100_000_000_000.0)]
    pub amount_cents: Option<i64>,
}

/// Runs the payment once per `Idempotency-Key` (required): a retry with the same key and body
/// replays the first answer, never paying twice.
async fn create(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    auth: Authenticated,
    region_code: String,
    target: PaymentTarget,
    request: PaymentRequest,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key_of(&req)?
        .ok_or_else(|| ApiError::of(ErrorCode::IdempotencyKeyRequired))?;
    let fingerprint = serde_json::to_vec(&(req.path(), &request)).unwrap_or_default();
    // Keys are the client's: scoped to the account, one caller's key never replays another's answer.
    let scoped_key = format!("{}:{key}", auth.account_id);
    let shared = ctx.clone();
    idempotency::once(
        &shared,
        "POST /v1/portal/payments",
        Some(scoped_key),
        &fingerprint,
        || async move {
            let method = PaymentMethod::from(request.method);
            let record = flow::pay(
                &ctx,
                &auth,
                region_code,
                target,
                method,
                request.amount_cents,
                Some(key),
            )
            .await?;
            let view = PaymentView::of(record, &ctx.settings.transfer_account);
            Ok((
                StatusCode::CREATED,
                serde_json::to_value(view).map_err(ApiError::internal)?,
            ))
        },
    )
    .await
}

/// Pays one bureau. Requires `Idempotency-Key`: a retried request with the same key and body
/// replays the first answer (`Idempotent-Replayed: true`) and never pays twice; a duplicate
/// still running answers 409 `idempotency_in_progress`. The amount is allocated to the bureau's
/// fixed part, then to its persons from the oldest charge (see the README); a transfer answers
/// with its `transfer_instructions` (account, reference to quote, amount, and their PDF), a card
/// or direct debit with the provider's checkout URL.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Region code"),
        ("ref" = String, Path, description = "Ref établissement"),
        ("Idempotency-Key" = String, Header, description = "Required: 1 to 255 visible ASCII characters, one per payment the user means to make"),
    ),
    request_body = PaymentRequest,
    responses(
        (status = 201, description = "The pending payment", body = PaymentView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `bureau_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed`, `idempotency_in_progress`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 422, description = "`overpayment` (its `payable_cents` gives the most that may be paid now), `amount_too_large` (more than one payment's maximum, 100000000000 cents), `nothing_to_pay`, `payment_method_unavailable`, `idempotency_key_reused`, `validation_failed`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`idempotency_key_required`", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`payment_provider_unavailable`: nothing was charged", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/portal/regions/{code}/bureaux/{ref}/payments")]
pub async fn pay_bureau(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<(String, String)>,
    body: web::Json<PaymentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, bureau_ref) = path.into_inner();
    create(
        ctx,
        req,
        auth,
        region_code,
        PaymentTarget::Bureau(bureau_ref),
        body.into_inner(),
    )
    .await
}

/// Pays the firm's bureaux of the region in one grouped payment ("Montant regroupé"): the
/// bureaux the user manages, in the dashboard's order, each settled in turn. Same
/// `Idempotency-Key` rules as a bureau's payment; without an amount it settles the grouped amount.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Region code"),
        ("firm_ref" = String, Path, description = "The firm's reference"),
        ("Idempotency-Key" = String, Header, description = "Required: 1 to 255 visible ASCII characters, one per payment the user means to make"),
    ),
    request_body = PaymentRequest,
    responses(
        (status = 201, description = "The pending payment", body = PaymentView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`, `firm_not_found` (no bureau of the firm that the user manages here)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`campaign_closed`, `idempotency_in_progress`, `email_conflict` until the address is chosen; its `Link` header gives `rel=\"email-conflict\"` (GET the two addresses) and `rel=\"email-choice\"` (PUT the choice)", body = Problem, content_type = "application/problem+json", headers(("Link" = String, description = "With `email_conflict`: `</v1/portal/regions/{code}/email-conflict>; rel=\"email-conflict\", </v1/portal/regions/{code}/email-choice>; rel=\"email-choice\"`"))),
        (status = 422, description = "`overpayment` (its `payable_cents` gives the most that may be paid now), `amount_too_large` (more than one payment's maximum, 100000000000 cents), `nothing_to_pay`, `payment_method_unavailable`, `idempotency_key_reused`, `validation_failed`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`idempotency_key_required`", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`payment_provider_unavailable`: nothing was charged", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/portal/regions/{code}/firms/{firm_ref}/payments")]
pub async fn pay_firm(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<(String, String)>,
    body: web::Json<PaymentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (region_code, firm_ref) = path.into_inner();
    create(
        ctx,
        req,
        auth,
        region_code,
        PaymentTarget::Firm(firm_ref),
        body.into_inner(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::PaymentRequest;
    use crate::domain::money::MAX_PAYMENT_CENTS;

    #[test]
    fn the_documented_maximum_is_the_one_enforced() {
        let schema = serde_json::to_value(PaymentRequest::schema()).expect("JSON");
        let amount = &schema["properties"]["amount_cents"];
        assert_eq!(
            amount["maximum"].as_f64(),
            Some(MAX_PAYMENT_CENTS as f64),
            "{amount}"
        );
    }
}
