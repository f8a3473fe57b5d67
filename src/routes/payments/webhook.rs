use actix_web::{
    http::{header, StatusCode},
    post, web, HttpRequest, HttpResponse,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    context::ApiContext,
    db::{
        self,
        payments::{record_webhook_event, status, Payment},
        LockTarget,
    },
    error::{ApiError, Problem},
    i18n::Text,
    payments::{
        self,
        webhook::{EventKind, WebhookError, SIGNATURE_HEADER},
    },
};

/// What a notification did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOutcome {
    pub payment_id: String,
    /// The payment's status after the notification.
    #[schema(example = "confirmed")]
    pub status: String,
}

fn problem(status: StatusCode, code: &'static str, title: Text, detail: Text) -> ApiError {
    ApiError::new(status, code, title, detail)
}

fn signature_problem(error: &WebhookError) -> ApiError {
    match error {
        WebhookError::BadSignature => problem(
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            Text::new("Signature invalide", "Invalid signature"),
            Text::new(
                "La signature de la notification est absente ou ne correspond pas.",
                "The notification's signature is missing or does not match.",
            ),
        )
        .with_header(header::WWW_AUTHENTICATE, SIGNATURE_HEADER),
        WebhookError::Expired => problem(
            StatusCode::UNAUTHORIZED,
            "signature_expired",
            Text::new("Signature expirée", "Signature expired"),
            Text::new(
                "La notification a été signée il y a plus de cinq minutes.",
                "The notification was signed more than five minutes ago.",
            ),
        )
        .with_header(header::WWW_AUTHENTICATE, SIGNATURE_HEADER),
        WebhookError::InvalidEvent(reason) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_event",
            Text::new("Notification invalide", "Invalid notification"),
            Text::owned(
                format!("La notification n'est pas comprise : {reason}"),
                format!("The notification is not understood: {reason}"),
            ),
        ),
    }
}

/// Receives a signed notification from a payment provider (`test`, the shipped one) or from the
/// bank-statement feed (`bank`, for transfers, by the reference quoted). Header
/// `ComptExpert-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the
/// key `PAYMENT_WEBHOOK_SECRET`; body `{"id", "type": "payment.succeeded" | "payment.failed",
/// "payment_reference", "amount_cents", "currency": "EUR", "failure_reason"?}`. A success books
/// the payment's parts in the ledger; a failure releases them. Each event id is processed once:
/// a replay is refused. No bearer token: the signature authenticates the sender.
#[utoipa::path(
    tag = "portal",
    params(
        ("provider" = String, Path, description = "`bank` or the provider's name (`test`)"),
        ("ComptExpert-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>`"),
    ),
    request_body(content = String, content_type = "application/json", description = "The event, signed as sent (raw bytes)"),
    responses(
        (status = 200, description = "Processed", body = WebhookOutcome),
        (status = 401, description = "`invalid_signature`, `signature_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`provider_not_found`, `payment_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`webhook_replayed` (event already processed), `payment_not_pending` (a success for a failed payment or a failure for a confirmed one: handled by the regional council)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_event`, `amount_mismatch`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`webhooks_disabled`: `PAYMENT_WEBHOOK_SECRET` is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/payments/webhooks/{provider}")]
pub async fn receive_webhook(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    provider: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let secret = ctx.settings.payment_webhook_secret.clone().ok_or_else(|| {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "webhooks_disabled",
            Text::new("Notifications désactivées", "Webhooks disabled"),
            Text::new(
                "Les notifications de paiement ne sont pas configurées sur ce serveur.",
                "Payment notifications are not configured on this server.",
            ),
        )
    })?;
    let provider = ctx.providers.by_name(&provider).ok_or_else(|| {
        problem(
            StatusCode::NOT_FOUND,
            "provider_not_found",
            Text::new("Prestataire inconnu", "Unknown provider"),
            Text::new(
                "Aucun prestataire de paiement ne porte ce nom ici.",
                "No payment provider has this name here.",
            ),
        )
    })?;
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let event = provider
        .read_webhook(
            secret.as_bytes(),
            signature,
            &body,
            chrono::Utc::now().timestamp(),
        )
        .map_err(|e| signature_problem(&e))?;
    let provider_name = provider.name();
    let (region_code, outcome) = ctx
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let now = db::now();
                let found = Payment::find_by_provider_reference(conn, provider_name, &event.payment_reference)?;
                let Some(found) = found else {
                    return Err(problem(
                        StatusCode::NOT_FOUND,
                        "payment_not_found",
                        Text::new("Paiement introuvable", "Payment not found"),
                        Text::new(
                            "Aucun paiement ne porte cette référence chez ce prestataire.",
                            "No payment has this reference with this provider.",
                        ),
                    ));
                };
                db::lock_for_update(conn, LockTarget::Payment, &found.id)?;
                // Read again under the lock: a concurrent notification may have settled it.
                let payment = Payment::find_by_provider_reference(conn, provider_name, &event.payment_reference)?
                    .ok_or_else(ApiError::not_found)?;
                if !record_webhook_event(conn, provider_name, &event.id, event.kind.as_str(), Some(&payment.id), now)? {
                    return Err(problem(
                        StatusCode::CONFLICT,
                        "webhook_replayed",
                        Text::new("Notification déjà traitée", "Notification already processed"),
                        Text::new(
                            "Cette notification a déjà été traitée ; elle ne l'est pas une seconde fois.",
                            "This notification was already processed; it is not processed twice.",
                        ),
                    ));
                }
                let not_pending = || {
                    problem(
                        StatusCode::CONFLICT,
                        "payment_not_pending",
                        Text::new("Paiement déjà réglé", "Payment already settled"),
                        Text::new(
                            "Ce paiement n'est plus en attente ; le conseil régional traite ce cas.",
                            "This payment is no longer pending; the regional council handles this case.",
                        ),
                    )
                };
                match (event.kind, payment.status.as_str()) {
                    (EventKind::Succeeded, status::PENDING) => {
                        if event.amount_cents != i64::from(payment.amount_cents) {
                            return Err(problem(
                                StatusCode::UNPROCESSABLE_ENTITY,
                                "amount_mismatch",
                                Text::new("Montant différent", "Amount mismatch"),
                                Text::new(
                                    "Le montant reçu diffère de celui du paiement : rien n'est comptabilisé, le conseil régional traite ce cas.",
                                    "The amount received differs from the payment's: nothing is booked, the regional council handles this case.",
                                ),
                            ));
                        }
                        payments::confirm(conn, &payment, now)?;
                    }
                    (EventKind::Failed, status::PENDING) => {
                        let reason = event.failure_reason.as_deref().unwrap_or("refused by the provider");
                        payments::fail(conn, &payment, reason, now)?;
                    }
                    (EventKind::Succeeded, status::CONFIRMED) | (EventKind::Failed, status::FAILED) => {}
                    _ => return Err(not_pending()),
                }
                let settled = Payment::find_by_provider_reference(conn, provider_name, &event.payment_reference)?
                    .ok_or_else(ApiError::not_found)?;
                Ok((
                    settled.region_code,
                    WebhookOutcome {
                        payment_id: settled.id,
                        status: settled.status,
                    },
                ))
            })
        })
        .await?;
    ctx.read_cache.region_changed(&region_code);
    Ok(HttpResponse::Ok().json(outcome))
}
