//! The CAS 3.0 server's use cases, on the same accounts, SSO session and headless login as the
//! OpenID Connect provider: `/cas/login` (a ticket at once with a live SSO session, otherwise a
//! login request for the front end), ticket validation, `/cas/logout`, and the single-logout
//! notices sent when a session ends.

pub mod single_logout;

use chrono::NaiveDateTime;

use crate::{
    cas::{self, services, AttributeValue, Failure, Validated},
    context::ApiContext,
    db::{
        self,
        accounts::Account,
        cas::{CasService, ServiceTicket, Ticketed, Unredeemed},
        login_requests::{Asked, LoginRequest},
        oidc,
        sessions::Session,
    },
    error::{ApiError, ErrorCode},
    flows::{oidc::authorize::redirect_with, oidc::claims::ordre_facts, Client},
};

/// The parameters of `/cas/login` (CAS 3.0 §2.1.1).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginParams {
    /// The URL of the application: where the browser goes back with its ticket.
    pub service: Option<String>,
    /// Set (to anything but false): a new sign-in, whatever the SSO session.
    pub renew: Option<String>,
    /// Set (to anything but false): never ask the user to sign in; without an SSO session the
    /// browser goes back to the service without a ticket.
    pub gateway: Option<String>,
}

/// Whether an optional CAS flag is set (`renew`, `gateway`): present, and not `false`.
pub fn flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.eq_ignore_ascii_case("false"))
}

/// Where `/cas/login` sends the browser.
pub enum CasLogin {
    /// To the service (with a ticket, or without after `gateway`), or to the login page when no
    /// service was named.
    Redirect(String),
    /// To the front end's login page with a new login request.
    ToLogin { url: String, request_id: String },
}

/// The registered service that admits `url`, or `cas_service_unknown`.
fn service_for(conn: &mut db::DbConnection, url: &str) -> Result<CasService, ApiError> {
    if !services::is_service_url(url) {
        return Err(ApiError::of(ErrorCode::CasServiceUnknown));
    }
    CasService::matching(conn, url, services::admits)?
        .ok_or_else(|| ApiError::of(ErrorCode::CasServiceUnknown))
}

/// Serves `/cas/login` for the browser holding `sso_cookie`.
pub async fn login(
    ctx: &ApiContext,
    params: LoginParams,
    sso_cookie: Option<String>,
) -> Result<CasLogin, ApiError> {
    let now = ctx.clock.now();
    let login_ui = ctx.settings.login_ui_url.clone();
    let lifetime = ctx.settings.cas_ticket_lifetime;
    let Some(url) = params.service.clone() else {
        // No application named: the front end's login page, which shows who is signed in.
        return Ok(CasLogin::Redirect(login_ui));
    };
    let renew = flag(params.renew.as_deref());
    let gateway = flag(params.gateway.as_deref());
    ctx.db
        .run(move |conn| {
            let service = service_for(conn, &url)?;
            let session = match sso_cookie.as_deref() {
                Some(cookie) if !renew => oidc::session_of_cookie(conn, cookie, now)?,
                _ => None,
            };
            if let Some(session) = session {
                let ticket = db::session_write_transaction(conn, |conn| {
                    ServiceTicket::issue(
                        conn,
                        Ticketed {
                            service_id: &service.service_id,
                            service_url: &url,
                            account_id: &session.account_id,
                            session_id: &session.id,
                            from_new_login: false,
                        },
                        lifetime,
                        now,
                    )
                })?;
                return Ok(CasLogin::Redirect(redirect_with(
                    &url,
                    &[("ticket", &ticket)],
                )));
            }
            // CAS 3.0 §2.1.1: renew takes precedence over gateway.
            if gateway && !renew {
                return Ok(CasLogin::Redirect(url));
            }
            let request = db::session_write_transaction(conn, |conn| {
                LoginRequest::create(
                    conn,
                    Asked {
                        client_id: None,
                        cas_service_id: Some(service.service_id.clone()),
                        redirect_uri: url.clone(),
                        scope: String::new(),
                        prompt: renew.then(|| "login".to_owned()),
                        ..Asked::default()
                    },
                    now,
                )
            })?;
            Ok(CasLogin::ToLogin {
                url: redirect_with(&login_ui, &[("login_request", &request.id)]),
                request_id: request.id,
            })
        })
        .await
}

/// The parameters of ticket validation (CAS 3.0 §2.4.1, §2.5.1).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValidateParams {
    /// The service URL the ticket was issued for, exactly as sent to `/cas/login`.
    pub service: Option<String>,
    /// The service ticket (`ST-…`).
    pub ticket: Option<String>,
    /// Set: only a ticket issued right after a sign-in is accepted.
    pub renew: Option<String>,
    /// XML (default) or JSON.
    pub format: Option<String>,
    /// A proxy callback: no proxy-granting ticket is issued here, and the validation of the
    /// service ticket goes on without one (CAS 3.0 §2.5.4).
    #[serde(rename = "pgtUrl")]
    #[param(rename = "pgtUrl")]
    pub pgt_url: Option<String>,
}

/// What a validation answers: the user and attributes, or the failure code and its reason.
pub type Outcome = Result<Validated, (Failure, String)>;

/// Validates a service ticket, once; `with_attributes` for `/serviceValidate` and
/// `/p3/serviceValidate` (not `/validate`). Every failure, this server's own included, is a
/// CAS failure: the service reads the document, not the status.
pub async fn validate(ctx: &ApiContext, params: ValidateParams, with_attributes: bool) -> Outcome {
    let (Some(url), Some(ticket)) = (params.service.clone(), params.ticket.clone()) else {
        return Err((
            Failure::InvalidRequest,
            "the service and ticket parameters are required".into(),
        ));
    };
    if !ticket.starts_with("ST-") {
        return Err((
            Failure::InvalidTicket,
            format!("ticket {ticket} not recognized (proxy tickets are not served here)"),
        ));
    }
    let renew = flag(params.renew.as_deref());
    let now = ctx.clock.now();
    let outcome = ctx
        .db
        .run(move |conn| Ok(redeem(conn, &ticket, &url, renew, with_attributes, now)?))
        .await;
    match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(code = ?error.code(), "CAS ticket validation failed");
            Err((
                Failure::InternalError,
                "the ticket could not be validated; try again".into(),
            ))
        }
    }
}

fn redeem(
    conn: &mut db::DbConnection,
    ticket: &str,
    url: &str,
    renew: bool,
    with_attributes: bool,
    now: NaiveDateTime,
) -> diesel::QueryResult<Outcome> {
    let not_recognized = || {
        (
            Failure::InvalidTicket,
            format!("ticket {ticket} not recognized"),
        )
    };
    db::session_write_transaction(conn, |conn| {
        let stored = match ServiceTicket::redeem(conn, ticket, url, renew, now)? {
            Ok(stored) => stored,
            Err(Unredeemed::Unknown) => return Ok(Err(not_recognized())),
            Err(Unredeemed::OtherService) => {
                return Ok(Err((
                    Failure::InvalidService,
                    format!("ticket {ticket} was not issued for this service; it is now void"),
                )))
            }
            Err(Unredeemed::NotFromNewLogin) => {
                return Ok(Err((
                    Failure::InvalidTicketSpec,
                    format!("ticket {ticket} did not come from a new sign-in (renew)"),
                )))
            }
        };
        // The SSO session may have ended in the seconds since: its tickets end with it.
        let Some(session) = Session::find_live(conn, &stored.session_id, now)? else {
            return Ok(Err(not_recognized()));
        };
        let Some(account) = Account::find(conn, &stored.account_id)? else {
            return Ok(Err(not_recognized()));
        };
        let service = CasService::find(conn, &stored.service_id)?;
        ServiceTicket::record_session(conn, ticket, &stored, now)?;
        let mut attributes = Vec::new();
        if with_attributes {
            attributes = cas::authentication_attributes(
                session.created_at.and_utc(),
                session.keep_active,
                stored.from_new_login,
            );
            if let Some(service) = service {
                attributes.extend(user_attributes(conn, &account, &service.attributes())?);
            }
        }
        Ok(Ok(Validated {
            user: account.identifier,
            attributes,
        }))
    })
}

/// The user's attributes that `allowed` names, in [`services::KNOWN_ATTRIBUTES`]'s order.
fn user_attributes(
    conn: &mut db::DbConnection,
    account: &Account,
    allowed: &[&str],
) -> diesel::QueryResult<Vec<(&'static str, AttributeValue)>> {
    let wants = |name: &str| allowed.contains(&name);
    let facts = if ["supraNumber", "qualite", "qualiteLabel", "regions"]
        .iter()
        .any(|a| wants(a))
    {
        Some(ordre_facts(conn, account)?)
    } else {
        None
    };
    let mut out = Vec::new();
    for name in services::KNOWN_ATTRIBUTES.iter().copied() {
        if !wants(name) {
            continue;
        }
        let value = match name {
            "firstName" => Some(AttributeValue::Text(account.first_name.clone())),
            "lastName" => Some(AttributeValue::Text(account.last_name.clone())),
            "displayName" => Some(AttributeValue::Text(format!(
                "{} {}",
                account.first_name, account.last_name
            ))),
            "email" => Some(AttributeValue::Text(account.email.clone())),
            "supraNumber" => facts
                .as_ref()
                .and_then(|f| f.supra_number.clone())
                .map(AttributeValue::Text),
            "qualite" => facts
                .as_ref()
                .map(|f| AttributeValue::Text(f.quality_code.clone())),
            "qualiteLabel" => facts
                .as_ref()
                .and_then(|f| f.quality_label.clone())
                .map(AttributeValue::Text),
            "regions" => facts
                .as_ref()
                .map(|f| AttributeValue::List(f.regions.clone())),
            _ => None,
        };
        if let Some(value) = value {
            out.push((name, value));
        }
    }
    Ok(out)
}

/// Serves `/cas/logout`: ends the browser's SSO session (and with it every CAS service and
/// OpenID Connect client signed in through it, each told through its logout URL), then tells
/// where the browser goes: the `service` if a registered service admits it, else the front end.
pub async fn logout(
    ctx: &ApiContext,
    service: Option<String>,
    sso_cookie: Option<String>,
    client: Client,
) -> Result<String, ApiError> {
    let now = ctx.clock.now();
    let front_end = format!("{}/", ctx.settings.frontend_url);
    ctx.db
        .run(move |conn| {
            let target = match service {
                Some(url) => match service_for(conn, &url) {
                    Ok(_) => url,
                    // Never an open redirect: an address no service registered is ignored.
                    Err(_) => front_end,
                },
                None => front_end,
            };
            let session = match sso_cookie.as_deref() {
                Some(cookie) => oidc::session_of_cookie(conn, cookie, now)?,
                None => None,
            };
            if let Some(session) = session {
                db::scoped_write_transaction(conn, |conn, touched| {
                    Session::sign_out(
                        conn,
                        touched,
                        &session.account_id,
                        &session.id,
                        &session.amr,
                        &client.address,
                        now,
                    )
                })?;
            }
            Ok(target)
        })
        .await
}
