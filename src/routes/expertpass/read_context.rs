use actix_web::{get, http::header::HeaderName, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::expertpass,
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        expertpass::read_context::{self as flow, ContextRequest},
        Client,
    },
};

/// The device asking: its id from enrolment.
const DEVICE_ID_HEADER: HeaderName = HeaderName::from_static("expertpass-device-id");
/// When the device signed: Unix time in seconds, the 5th line of the context message.
const TIMESTAMP_HEADER: HeaderName = HeaderName::from_static("expertpass-timestamp");
/// The device's signature of the context message.
const SIGNATURE_HEADER: HeaderName = HeaderName::from_static("expertpass-signature");

/// What the app shows its owner before they approve: who asks, from which browser, from roughly
/// where and when, and the three numbers to choose from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertpassContext {
    pub challenge_id: String,
    /// The site asking for the sign-in.
    #[schema(example = "ComptExpert — portail des cotisations")]
    pub site: &'static str,
    /// The `User-Agent` of the browser that asked for the QR code (first 200 characters), as
    /// it sent it; absent when it sent none.
    #[schema(example = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0")]
    pub user_agent: Option<String>,
    /// The network the browser asked from: its IPv4 address cut to the /24 or its IPv6 address
    /// cut to the /48. Never the full address; absent when unknown.
    #[schema(example = "203.0.113.0/24")]
    pub approximate_address: Option<String>,
    /// When the browser asked for the QR code.
    pub requested_at: DateTime<Utc>,
    /// When the QR code expires if nobody decides.
    pub expires_at: DateTime<Utc>,
    /// Three distinct two-digit numbers (10 to 99), in the order to show them. One is the
    /// number the browser shows: the owner must pick it, and the approval carries it. The same
    /// three, in the same order, at every read.
    #[schema(example = json!([17, 42, 85]))]
    pub number_choices: Vec<i32>,
}

/// Read what to show before approving (mobile app side). After scanning
/// `comptexpert://login?c={challenge_id}&n={nonce}`, the app proves it holds the QR code and an
/// enrolled key: it signs with the device's key the UTF-8 message of five lines joined by `\n`,
/// without a trailing newline,
///
/// ```text
/// comptexpert-expertpass-v2
/// {challenge_id}
/// {nonce}
/// context
/// {timestamp}
/// ```
///
/// and sends the device id, the timestamp (Unix seconds, within 120 s of the server's clock) and
/// the signature (Ed25519, base64url) in the `Expertpass-Device-Id`, `Expertpass-Timestamp` and
/// `Expertpass-Signature` headers. Reading changes nothing: the app may read again.
#[utoipa::path(
    operation_id = "read_expertpass_context",
    tag = "expertpass",
    params(
        ("id" = String, Path, description = "The challenge id (`c` of the QR payload)"),
        ("Expertpass-Device-Id" = String, Header, description = "The device id returned by `POST /v1/me/devices`"),
        ("Expertpass-Timestamp" = i64, Header, description = "Unix time in seconds when the app signed (5th line of the message)"),
        ("Expertpass-Signature" = String, Header, description = "Ed25519 signature (64 bytes, base64url) of the context message"),
    ),
    responses(
        (status = 200, description = "What to show the owner, and the three numbers to offer", body = ExpertpassContext),
        (status = 401, description = "`unknown_device`: no such device (removed?) or its account cannot sign in; `invalid_signature`: not this device's signature of the context message for this QR code; `stale_timestamp`: `Expertpass-Timestamp` more than 120 s away from the server's clock", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such challenge (or expired more than an hour ago)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`challenge_already_decided`: approved, denied or cancelled already", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`challenge_expired`: nobody decided within the 2 minutes", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a header is missing or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/expertpass/challenges/{id}/context")]
pub async fn read_context(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let header = |name: &HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request = ContextRequest {
        challenge_id: id.into_inner(),
        device_id: header(&DEVICE_ID_HEADER),
        timestamp: header(&TIMESTAMP_HEADER),
        signature: header(&SIGNATURE_HEADER),
    };
    let challenge = flow::read_context(&ctx, request, Client::of_request(&req)).await?;
    Ok(HttpResponse::Ok().json(ExpertpassContext {
        number_choices: challenge.offered_numbers(),
        challenge_id: challenge.id,
        site: expertpass::SITE_NAME,
        user_agent: challenge.user_agent,
        approximate_address: challenge.client_network,
        requested_at: challenge.created_at.and_utc(),
        expires_at: challenge.expires_at.and_utc(),
    }))
}
