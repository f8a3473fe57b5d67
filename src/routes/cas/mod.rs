//! The CAS 3.0 server's endpoints under `/cas`, for the Ordre's sites that already speak CAS:
//! the same paths as today's server, so that a site moves by changing its CAS server URL.

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};

use super::oauth2::{found, sso_cookie, to_login_page, SSO_COOKIE};
use crate::{
    cas::{self, Failure},
    context::ApiContext,
    error::{ApiError, Problem},
    flows::{
        cas::{self as flow, CasLogin, LoginParams, Outcome, ValidateParams},
        Client,
    },
};

/// Credential requestor (CAS 3.0 §2.1), headless. With a live SSO session and no `renew`, a
/// `302` to `service` with `ticket=ST-…`; with `gateway` and no session, a `302` to `service`
/// without a ticket; otherwise a `302` to the front end's login page (`LOGIN_UI_URL`) with
/// `login_request`, which the front end accepts as for OpenID Connect. Without `service`, the
/// login page. A service URL that no registered service admits is a problem page (no
/// redirect).
#[utoipa::path(
    tag = "single sign-on",
    params(LoginParams),
    responses(
        (status = 302, description = "To the service (with or without a ticket), or to the front end's login page (`login_request`)"),
        (status = 400, description = "`cas_service_unknown`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cas/login")]
pub async fn cas_login(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    params: web::Query<LoginParams>,
) -> Result<HttpResponse, ApiError> {
    match flow::login(&ctx, params.into_inner(), sso_cookie(&req)).await? {
        CasLogin::Redirect(url) => Ok(found(&url)),
        CasLogin::ToLogin { url, request_id } => to_login_page(&url, &request_id),
    }
}

fn xml(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

fn answer(params: &ValidateParams, outcome: Outcome) -> HttpResponse {
    if params
        .format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("json"))
    {
        HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(cas::json_response(&outcome))
    } else {
        xml(cas::xml_response(&outcome))
    }
}

async fn service_validate(ctx: &ApiContext, params: ValidateParams) -> HttpResponse {
    let outcome = flow::validate(ctx, params.clone(), true).await;
    answer(&params, outcome)
}

/// Service ticket validation (CAS 3.0 §2.5): `cas:authenticationSuccess` with `cas:user` (the
/// account identifier) and the attributes the service may receive, or
/// `cas:authenticationFailure` with its code (`INVALID_REQUEST`, `INVALID_TICKET`,
/// `INVALID_SERVICE`, `INVALID_TICKET_SPEC`, `INTERNAL_ERROR`). XML, or JSON with `format=JSON`.
/// A ticket is consumed by its first validation, whatever the outcome.
#[utoipa::path(
    tag = "single sign-on",
    params(ValidateParams),
    responses(
        (status = 200, description = "The CAS service response (success or failure)", content(
            (String = "application/xml"),
            (serde_json::Value = "application/json"),
        )),
    )
)]
#[get("/cas/serviceValidate")]
pub async fn cas_service_validate(
    ctx: web::Data<ApiContext>,
    params: web::Query<ValidateParams>,
) -> HttpResponse {
    service_validate(&ctx, params.into_inner()).await
}

/// Service ticket validation, CAS 3.0 (§2.8): the same as `/cas/serviceValidate`, attributes
/// included.
#[utoipa::path(
    tag = "single sign-on",
    params(ValidateParams),
    responses(
        (status = 200, description = "The CAS service response (success or failure)", content(
            (String = "application/xml"),
            (serde_json::Value = "application/json"),
        )),
    )
)]
#[get("/cas/p3/serviceValidate")]
pub async fn cas_p3_service_validate(
    ctx: web::Data<ApiContext>,
    params: web::Query<ValidateParams>,
) -> HttpResponse {
    service_validate(&ctx, params.into_inner()).await
}

/// Proxy ticket validation (CAS 3.0 §2.6): no proxy tickets are issued here, so this validates
/// service tickets exactly as `/cas/serviceValidate` does, and a `PT-` ticket is `INVALID_TICKET`.
#[utoipa::path(
    tag = "single sign-on",
    params(ValidateParams),
    responses(
        (status = 200, description = "The CAS service response (success or failure)", content(
            (String = "application/xml"),
            (serde_json::Value = "application/json"),
        )),
    )
)]
#[get("/cas/proxyValidate")]
pub async fn cas_proxy_validate(
    ctx: web::Data<ApiContext>,
    params: web::Query<ValidateParams>,
) -> HttpResponse {
    service_validate(&ctx, params.into_inner()).await
}

/// Proxy ticket validation, CAS 3.0 (§2.8): as `/cas/proxyValidate`.
#[utoipa::path(
    tag = "single sign-on",
    params(ValidateParams),
    responses(
        (status = 200, description = "The CAS service response (success or failure)", content(
            (String = "application/xml"),
            (serde_json::Value = "application/json"),
        )),
    )
)]
#[get("/cas/p3/proxyValidate")]
pub async fn cas_p3_proxy_validate(
    ctx: web::Data<ApiContext>,
    params: web::Query<ValidateParams>,
) -> HttpResponse {
    service_validate(&ctx, params.into_inner()).await
}

/// CAS 1.0 validation (§2.4): `yes` and the account identifier on two lines, or `no` and an
/// empty line. No attributes.
#[utoipa::path(
    tag = "single sign-on",
    params(ValidateParams),
    responses(
        (status = 200, description = "`yes\\n<identifier>\\n` or `no\\n\\n`", body = String, content_type = "text/plain"),
    )
)]
#[get("/cas/validate")]
pub async fn cas_validate(
    ctx: web::Data<ApiContext>,
    params: web::Query<ValidateParams>,
) -> HttpResponse {
    let body = match flow::validate(&ctx, params.into_inner(), false).await {
        Ok(validated) => format!("yes\n{}\n", validated.user),
        Err(_) => "no\n\n".to_owned(),
    };
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// The parameters of `/cas/proxy` (CAS 3.0 §2.7.1).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProxyParams {
    /// A proxy-granting ticket.
    pub pgt: Option<String>,
    /// The service to get a proxy ticket for.
    #[serde(rename = "targetService")]
    #[param(rename = "targetService")]
    pub target_service: Option<String>,
}

/// Proxy ticket requests (CAS 3.0 §2.7): proxying is not served here, so every request is a
/// `cas:proxyFailure`, `INVALID_REQUEST` without both parameters, `BAD_PGT` otherwise (no
/// proxy-granting ticket is ever issued).
#[utoipa::path(
    tag = "single sign-on",
    params(ProxyParams),
    responses(
        (status = 200, description = "`cas:proxyFailure`", body = String, content_type = "application/xml"),
    )
)]
#[get("/cas/proxy")]
pub async fn cas_proxy(params: web::Query<ProxyParams>) -> HttpResponse {
    let body = match (&params.pgt, &params.target_service) {
        (Some(pgt), Some(_)) => cas::proxy_failure_xml(
            Failure::BadPgt,
            &format!("{pgt}: proxy-granting tickets are not issued by this server"),
        ),
        _ => cas::proxy_failure_xml(
            Failure::InvalidRequest,
            "the pgt and targetService parameters are required",
        ),
    };
    xml(body)
}

/// The parameters of `/cas/logout` (CAS 3.0 §2.3.1).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoutParams {
    /// Where to send the browser afterwards, if a registered service admits it.
    pub service: Option<String>,
}

/// Logout (CAS 3.0 §2.3): ends the browser's SSO session and with it every site signed in
/// through it (CAS services by a SAML `LogoutRequest` to their logout URL, OpenID Connect
/// clients by back-channel logout), clears the SSO cookie, then a `302` to `service` when a
/// registered service admits it, else to the front end.
#[utoipa::path(
    tag = "single sign-on",
    params(LogoutParams),
    responses(
        (status = 302, description = "Signed out; to the service or the front end"),
    )
)]
#[get("/cas/logout")]
pub async fn cas_logout(
    ctx: web::Data<ApiContext>,
    req: HttpRequest,
    params: web::Query<LogoutParams>,
    client: Client,
) -> Result<HttpResponse, ApiError> {
    let target = flow::logout(&ctx, params.into_inner().service, sso_cookie(&req), client).await?;
    let mut response = found(&target);
    response.headers_mut().insert(
        header::SET_COOKIE,
        header::HeaderValue::from_str(&format!(
            "{SSO_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
        ))
        .map_err(ApiError::internal)?,
    );
    Ok(response)
}
