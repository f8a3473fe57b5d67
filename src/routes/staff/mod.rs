//! The Ordre's staff side under `/v1/staff`: the support desk's work on accounts, the
//! administrators' roles and audit log. Every endpoint but `GET /v1/staff/me` and the step-up
//! answers 404 to an account without the role it needs, and 403 `step_up_required` to a
//! session signed in (or stepped up) more than 15 minutes ago.

pub mod accounts;
pub mod audit;
pub mod clients;
pub mod council;
pub mod roles;

use std::future::Future;
use std::pin::Pin;

use actix_web::{
    dev::Payload, get, post, web, FromRequest, HttpMessage, HttpRequest, HttpResponse,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::staff::StaffRole,
    error::{ApiError, Problem},
    flows::{staff as flow, staff::Actor, Client},
    middleware::RequestId,
};

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let auth = Authenticated::from_request(req, payload);
        let client = Client::of_request(req);
        let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
        Box::pin(async move {
            Ok(Actor {
                auth: auth.await?,
                client,
                request_id,
            })
        })
    }
}

/// A role held by a member of the staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffRoleView {
    pub id: String,
    pub account_id: String,
    /// The account's identifier.
    pub identifier: Option<String>,
    /// `support`, `council` or `administrator`.
    #[schema(value_type = String, example = "support")]
    pub role: crate::domain::states::StaffRoleKind,
    /// The region of a council role (`GET /v1/regions`).
    pub region_code: Option<String>,
    pub granted_at: chrono::DateTime<chrono::Utc>,
    /// The granting administrator's account id, or operator (the command line).
    pub granted_by: String,
}

impl StaffRoleView {
    pub fn of(role: StaffRole, identifier: Option<String>) -> Self {
        Self {
            id: role.id,
            account_id: role.account_id,
            identifier,
            role: role.role,
            region_code: role.region_code,
            granted_at: role.granted_at.and_utc(),
            granted_by: role.granted_by,
        }
    }
}

/// The caller's staff roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyRoles {
    /// Empty for an account that is not staff.
    pub items: Vec<StaffRoleView>,
}

/// The caller's own staff roles (an empty list for anyone else): what the front end shows.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's roles", body = MyRoles),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/me")]
pub async fn staff_me(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let items = flow::my_roles(&ctx, &auth)
        .await?
        .into_iter()
        .map(|r| StaffRoleView::of(r, None))
        .collect();
    Ok(HttpResponse::Ok().json(MyRoles { items }))
}

/// The password, confirmed again.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepUpRequest {
    pub password: String,
}

/// Confirm one's password again: staff actions are allowed for 15 minutes from now, as after a
/// sign-in.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = StepUpRequest,
    responses(
        (status = 204, description = "Confirmed: staff actions allowed for 15 minutes"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`current_password_incorrect`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: the identifier is locked after too many failures", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/step-up")]
pub async fn step_up(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    body: web::Json<StepUpRequest>,
) -> Result<HttpResponse, ApiError> {
    flow::step_up(&ctx, &auth, body.into_inner().password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Confirm one's identity again with Signexpert: a challenge from `POST
/// /v1/signexpert/challenges`, signed with the key of a certificate that signs in to the
/// caller's own account. Staff actions are allowed for 15 minutes from now.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = CertificateStepUpRequest,
    responses(
        (status = 204, description = "Confirmed: staff actions allowed for 15 minutes"),
        (status = 401, description = "`unauthorized`; `invalid_challenge`, `certificate_untrusted`, `certificate_expired`, `certificate_not_yet_valid`, `certificate_usage`, `certificate_revoked`, `invalid_signature`, as at a Signexpert sign-in; `certificate_not_linked`: the certificate is not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_certificate_chain`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`signexpert_unavailable`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/step-up/signexpert")]
pub async fn step_up_with_certificate(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    client: Client,
    body: web::Json<CertificateStepUpRequest>,
) -> Result<HttpResponse, ApiError> {
    let CertificateStepUpRequest {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
    } = body.into_inner();
    let proof = crate::auth::signexpert::proof::CertificateProof {
        challenge_id,
        certificate_chain_pem,
        signature,
        signature_algorithm,
    };
    flow::step_up_with_certificate(&ctx, &auth, proof, client).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A signed Signexpert challenge and the certificate that signed it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CertificateStepUpRequest {
    /// From `POST /v1/signexpert/challenges`; used up by this request, whatever its outcome.
    pub challenge_id: String,
    /// The certificate chain, PEM, the user's certificate first.
    pub certificate_chain_pem: String,
    /// The signature of the challenge's `message_to_sign`, base64.
    pub signature: String,
    /// How the signature was made (every fitting algorithm is tried when absent).
    #[serde(default)]
    pub signature_algorithm: Option<crate::auth::signexpert::SignatureAlgorithm>,
}

/// A CSV field for a French spreadsheet: quoted when it holds `;`, a quote or a line break. A
/// text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab: a name or a reason
/// someone typed) is opened with a `'`, which the spreadsheet shows as text; a number, negative
/// ones included, stays a number.
pub fn csv_field(value: &str) -> String {
    let number = {
        let digits = value.strip_prefix('-').unwrap_or(value);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b',')
    };
    let value = if !number && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A CSV document a French spreadsheet opens as is: UTF-8 with a BOM (or it guesses the
/// encoding), `;` between fields (`,` is its decimal separator), CRLF line ends.
pub fn french_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut body = String::from("\u{FEFF}");
    body.push_str(&header.join(";"));
    body.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        body.push_str(&fields.join(";"));
        body.push_str("\r\n");
    }
    body
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn a_typed_text_a_spreadsheet_would_run_is_opened_as_text_and_numbers_stay_numbers() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+33 1 55"), "'+33 1 55");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-cmd"), "'-cmd");
        assert_eq!(csv_field("-12,50"), "-12,50");
        assert_eq!(csv_field("1234,50"), "1234,50");
        assert_eq!(csv_field("Dupont; Martin"), "\"Dupont; Martin\"");
        assert_eq!(csv_field(""), "");
    }
}
