//! The support desk's endpoints on accounts (`/v1/staff/accounts…`), role `support`.

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    context::ApiContext,
    error::{ApiError, Problem},
    flows::staff::{accounts as flow, Actor},
    routes::me::{
        certificates::CertificateView, devices::DeviceView, security_events::SecurityEventView,
        sessions::SessionView, AccountView,
    },
};

/// What to look for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountSearch {
    /// An email address, a SUPRA number, an identifier, or the start of a member's last name.
    pub q: String,
}

/// Accounts found.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountSearchResult {
    /// At most 20.
    pub items: Vec<AccountView>,
}

/// Find accounts by identifier, email, SUPRA number or a member's last name (accent- and
/// case-insensitive, as the register's search).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(AccountSearch),
    responses(
        (status = 200, description = "The accounts found", body = AccountSearchResult),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/accounts")]
pub async fn search_accounts(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    query: web::Query<AccountSearch>,
) -> Result<HttpResponse, ApiError> {
    let found = flow::search(&ctx, &actor, query.into_inner().q).await?;
    Ok(HttpResponse::Ok().json(AccountSearchResult {
        items: found.iter().map(AccountView::from).collect(),
    }))
}

/// Where an account stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountStateView {
    pub account: AccountView,
    /// `pending` (activation link not used yet) or `active`.
    pub status: String,
    pub activated_at: Option<DateTime<Utc>>,
    pub supra_number: Option<String>,
    /// Until when sign-in is locked after failed attempts, when it is now.
    pub sign_in_locked_until: Option<DateTime<Utc>>,
    /// Failed sign-ins are counted for its identifier.
    pub failed_sign_ins: bool,
    /// The sign-in methods enrolled.
    pub methods: AccountMethods,
    /// The last five sign-ins, newest first.
    pub last_sign_ins: Vec<SecurityEventView>,
    /// Open sessions, newest first.
    pub open_sessions: Vec<SessionView>,
}

/// The sign-in methods of an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountMethods {
    pub password: bool,
    pub expertpass_devices: i64,
    pub signexpert_certificates: i64,
}

/// An account's state: status, sign-in lock, methods, last sign-ins, open sessions. Audited, and
/// shown in the owner's history (`viewed_by_support`).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The account's state", body = AccountStateView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/accounts/{id}")]
pub async fn account_state(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let s = flow::state(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AccountStateView {
        account: AccountView::from(&s.account),
        status: s.account.status.clone(),
        activated_at: s.account.activated_at.map(|t| t.and_utc()),
        supra_number: s.supra_number,
        sign_in_locked_until: s.locked_until.map(|t| t.and_utc()),
        failed_sign_ins: s.failed_sign_ins,
        methods: AccountMethods {
            password: s.has_password,
            expertpass_devices: s.expertpass_devices,
            signexpert_certificates: s.signexpert_certificates,
        },
        last_sign_ins: s
            .last_sign_ins
            .into_iter()
            .map(SecurityEventView::of)
            .collect(),
        open_sessions: s
            .open_sessions
            .into_iter()
            .map(|session| SessionView::of(session, false))
            .collect(),
    }))
}

/// A page of an account's history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// 1 to 100 (default 20).
    pub limit: Option<i64>,
    /// The id of the last event of the previous page.
    pub before: Option<String>,
}

/// Events of an account's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSecurityEventPage {
    /// Newest first.
    pub items: Vec<SecurityEventView>,
}

/// An account's security history, as its owner sees it.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id"), HistoryQuery),
    responses(
        (status = 200, description = "Events, newest first", body = StaffSecurityEventPage),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/accounts/{id}/security-events")]
pub async fn account_security_events(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let HistoryQuery { limit, before } = query.into_inner();
    let limit = limit.unwrap_or(20).clamp(1, 100);
    let events = flow::security_history(&ctx, &actor, id.into_inner(), before, limit).await?;
    Ok(HttpResponse::Ok().json(StaffSecurityEventPage {
        items: events.into_iter().map(SecurityEventView::of).collect(),
    }))
}

/// Lift the sign-in lock of an account and forget its failed attempts.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Unlocked"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/accounts/{id}/unlock")]
pub async fn unlock_account(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::unlock(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send a pending account a new activation link (the email is queued when this answers).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Queued"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`account_already_active`: send a reset link instead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/accounts/{id}/activation-link")]
pub async fn resend_activation_link(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::resend_activation(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send an active account a password reset link (the email is queued when this answers).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Queued"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`account_not_active`: send an activation link instead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/accounts/{id}/reset-link")]
pub async fn send_reset_link(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::send_reset(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The corrected address.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailCorrection {
    #[schema(example = "marie.durand@cabinet-durand.fr")]
    pub email: String,
}

/// Correct an account's email address; the old and the new address are both told.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    request_body = EmailCorrection,
    responses(
        (status = 200, description = "The account with its new address", body = AccountView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: not an email address, or already the account's (`unchanged`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/staff/accounts/{id}/email")]
pub async fn correct_email(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<EmailCorrection>,
) -> Result<HttpResponse, ApiError> {
    let account =
        flow::correct_email(&ctx, &actor, id.into_inner(), body.into_inner().email).await?;
    Ok(HttpResponse::Ok().json(AccountView::from(&account)))
}

/// How many sessions were closed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsRevoked {
    pub revoked: usize,
}

/// Close every open session of an account (and, with them, the sites signed in through them).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "Closed", body = SessionsRevoked),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/staff/accounts/{id}/sessions")]
pub async fn revoke_account_sessions(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let revoked = flow::revoke_sessions(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SessionsRevoked { revoked }))
}

/// An email sent to the account: never its body or links.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentEmailView {
    pub id: String,
    /// Which email: `account_activation`, `password_reset`, `security_notice`…
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// `sent`, `retrying` (not delivered yet, tried again later) or `dead` (given up).
    pub status: String,
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub given_up_at: Option<DateTime<Utc>>,
}

/// Emails sent to an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentEmailList {
    /// Newest first, at most 100.
    pub items: Vec<SentEmailView>,
}

/// The emails sent to an account's address (and to the addresses the support replaced), with
/// their delivery status.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The emails, newest first", body = SentEmailList),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/accounts/{id}/emails")]
pub async fn account_emails(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let emails = flow::emails(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SentEmailList {
        items: emails
            .into_iter()
            .map(|e| SentEmailView {
                status: e.status.to_owned(),
                id: e.email.id,
                kind: e.email.kind,
                recipient: e.email.recipient,
                subject: e.email.subject,
                attempts: e.email.attempts,
                last_error: e.email.last_error,
                queued_at: e.email.created_at.and_utc(),
                sent_at: e.email.sent_at.map(|t| t.and_utc()),
                given_up_at: e.email.dead_at.map(|t| t.and_utc()),
            })
            .collect(),
    }))
}

/// The sign-in credentials enrolled on an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountCredentials {
    /// Expertpass devices, oldest first.
    pub devices: Vec<DeviceView>,
    /// Signexpert certificates, oldest first.
    pub certificates: Vec<CertificateView>,
}

/// The Expertpass devices and Signexpert certificates enrolled on an account.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The credentials", body = AccountCredentials),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, or `not_found`: the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/accounts/{id}/credentials")]
pub async fn account_credentials(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (devices, certificates) = flow::credentials(&ctx, &actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AccountCredentials {
        devices: devices.into_iter().map(DeviceView::from).collect(),
        certificates: certificates
            .into_iter()
            .map(CertificateView::from)
            .collect(),
    }))
}

/// Remove one Expertpass device of an account (a lost phone): it can no longer approve a
/// sign-in. The owner sees `device_removed_by_support` in their history.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The account's id"),
        ("device_id" = String, Path, description = "The device's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, `not_found`: no such device on the account, or the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/staff/accounts/{id}/devices/{device_id}")]
pub async fn remove_account_device(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, device_id) = path.into_inner();
    flow::remove_device(&ctx, &actor, id, device_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove one Signexpert certificate of an account: it can no longer sign in with it. The
/// owner sees `certificate_removed_by_support` in their history.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The account's id"),
        ("certificate_id" = String, Path, description = "The certificate's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`account_not_found`, `not_found`: no such certificate on the account, or the caller is not support", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/staff/accounts/{id}/certificates/{certificate_id}")]
pub async fn remove_account_certificate(
    ctx: web::Data<ApiContext>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, certificate_id) = path.into_inner();
    flow::remove_certificate(&ctx, &actor, id, certificate_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
