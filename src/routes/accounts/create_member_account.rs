use actix_web::{http::StatusCode, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RegistrationAccepted;
use crate::{
    context::ApiContext,
    domain::email::mask,
    error::{ApiError, Problem},
    flows::{
        accounts::register_member::{register_member, MemberRequest},
        Client,
    },
    idempotency,
};

/// Create the ComptExpert account of a register member.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateMemberAccountRequest {
    /// The qualité chosen on the first screen (a `registry` qualité of `GET /v1/qualities`).
    #[schema(example = "expert_comptable_independant")]
    pub quality: String,
    /// The `member_ref` of the proposal the person recognised as themselves.
    #[schema(example = "0193b7e2-5c1a-7d4e-9f00-1a2b3c4d5e6f")]
    pub member_ref: String,
}

/// Create a member's ComptExpert account. The confirmation email goes to the address the register
/// holds, never to one typed by the caller; if the member already has an account the answer is
/// the same and the email gives the identifier and a reset link instead. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "registration",
    request_body = CreateMemberAccountRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for a retried request")),
    responses(
        (status = 202, description = "Email sent to the register's address", body = RegistrationAccepted),
        (status = 404, description = "`member_not_found`: unknown `member_ref`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`idempotency_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (unknown quality, external-form quality), `quality_mismatch`, `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts")]
pub async fn create_member_account(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    body: web::Json<CreateMemberAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key_of(&req)?;
    let request = body.into_inner();
    let fingerprint = serde_json::to_vec(&request).unwrap_or_default();
    let CreateMemberAccountRequest {
        quality,
        member_ref,
    } = request;
    let client = Client::of_request(&req);
    let key = idempotency::of_client(key, &client.address);
    idempotency::once(&ctx, "POST /v1/accounts", key, &fingerprint, || async {
        let registered = register_member(
            &ctx,
            MemberRequest {
                quality,
                member_ref,
            },
            client,
        )
        .await?;
        let body = RegistrationAccepted {
            status: "email_sent",
            email_masked: mask(&registered.email),
        };
        Ok((
            StatusCode::ACCEPTED,
            serde_json::to_value(body).map_err(ApiError::internal)?,
        ))
    })
    .await
}
