//! The Ordre's sites of single sign-on, administered through the API (`/v1/staff/clients`,
//! `/v1/staff/cas-services`), role `administrator`: the same rules as `comptexpert clients …`,
//! each change in one transaction with its audit record. A client's secret is never in the log.

use serde_json::json;

use super::{Actor, Need, Staff};
use crate::{
    cas::services::ServiceSpec,
    context::ApiContext,
    db::{self, cas::CasService, oauth_clients::OAuthClient},
    error::{ApiError, ErrorCode, FieldIssue},
    flows::clients::{self as sites, ClientError, Registered},
    i18n::Text,
    oidc::clients::ClientSpec,
};

impl From<ClientError> for ApiError {
    fn from(error: ClientError) -> Self {
        let invalid = |message: String| {
            ApiError::validation(vec![FieldIssue::new(
                "body",
                "client",
                Text::owned(message.clone(), message),
            )])
        };
        match error {
            ClientError::Invalid(e) => invalid(e.0),
            ClientError::InvalidService(e) => invalid(e.0),
            ClientError::Taken(_) => ApiError::of(ErrorCode::ClientIdTaken),
            ClientError::Unknown(_) => ApiError::not_found(),
            ClientError::Failed(e) => e,
        }
    }
}

fn client_json(c: &OAuthClient) -> serde_json::Value {
    json!({
        "name": c.name,
        "confidential": c.confidential,
        "redirect_uris": c.redirect_uris(),
        "post_logout_redirect_uris": c.post_logout_redirect_uris(),
        "scopes": c.scopes(),
        "backchannel_logout_uri": c.backchannel_logout_uri,
        "id_token_alg": c.id_token_alg,
        "access_token_seconds": c.access_token_seconds,
        "refresh_token_seconds": c.refresh_token_seconds,
    })
}

fn service_json(s: &CasService) -> serde_json::Value {
    let spec = ServiceSpec::of(s);
    json!({
        "name": spec.name,
        "patterns": spec.patterns,
        "attributes": spec.attributes,
        "logout_url": spec.logout_url,
    })
}

/// Every OpenID Connect client and CAS service.
pub async fn list(
    ctx: &ApiContext,
    actor: &Actor,
) -> Result<(Vec<OAuthClient>, Vec<CasService>), ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            Staff::require(conn, &actor, Need::Administrator, now)?;
            Ok((OAuthClient::all(conn)?, CasService::all(conn)?))
        })
        .await
}

/// Registers an OpenID Connect client; a confidential client's secret is in the answer only.
pub async fn add_client(
    ctx: &ApiContext,
    actor: &Actor,
    spec: ClientSpec,
) -> Result<Registered, ApiError> {
    let now = ctx.clock.now();
    // Refused only after the role check: to anyone else, the endpoint does not exist.
    let prepared = spec
        .validate()
        .map(|spec| spec.into_client(now))
        .map_err(|e| ApiError::from(ClientError::from(e)));
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let (client, secret) = prepared?;
                sites::add_in(conn, &client)?;
                staff.audit(
                    conn,
                    "client.registered",
                    ("oauth_client", &client.client_id),
                    None,
                    Some(client_json(&client)),
                    now,
                )?;
                Ok(Registered { client, secret })
            })
        })
        .await
}

/// Replaces what an OpenID Connect client is (its id stays); `new_secret` gives a confidential
/// client a new secret, shown once.
pub async fn update_client(
    ctx: &ApiContext,
    actor: &Actor,
    client_id: String,
    spec: ClientSpec,
    new_secret: bool,
) -> Result<Registered, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let (before, registered) = sites::update_in(
                    conn,
                    &client_id,
                    move |current| *current = spec,
                    new_secret,
                    now,
                )?;
                let mut after = client_json(&registered.client);
                after["secret_renewed"] = json!(registered.secret.is_some());
                staff.audit(
                    conn,
                    "client.updated",
                    ("oauth_client", &client_id),
                    Some(client_json(&before)),
                    Some(after),
                    now,
                )?;
                Ok(registered)
            })
        })
        .await
}

/// Registers a CAS service.
pub async fn add_service(
    ctx: &ApiContext,
    actor: &Actor,
    spec: ServiceSpec,
) -> Result<CasService, ApiError> {
    let now = ctx.clock.now();
    let prepared = spec
        .validate()
        .map(|spec| spec.into_service(now))
        .map_err(|e| ApiError::from(ClientError::from(e)));
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let service = prepared?;
                sites::add_cas_in(conn, &service)?;
                staff.audit(
                    conn,
                    "cas_service.registered",
                    ("cas_service", &service.service_id),
                    None,
                    Some(service_json(&service)),
                    now,
                )?;
                Ok(service)
            })
        })
        .await
}

/// Replaces what a CAS service is (its id stays).
pub async fn update_service(
    ctx: &ApiContext,
    actor: &Actor,
    service_id: String,
    spec: ServiceSpec,
) -> Result<CasService, ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let (before, after) =
                    sites::update_cas_in(conn, &service_id, move |current| *current = spec, now)?;
                staff.audit(
                    conn,
                    "cas_service.updated",
                    ("cas_service", &service_id),
                    Some(service_json(&before)),
                    Some(service_json(&after)),
                    now,
                )?;
                Ok(after)
            })
        })
        .await
}

/// Removes a client or a CAS service: it can no longer sign anyone in.
pub async fn remove(ctx: &ApiContext, actor: &Actor, id: String) -> Result<(), ApiError> {
    let now = ctx.clock.now();
    let actor = actor.clone();
    ctx.db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let staff = Staff::require(conn, &actor, Need::Administrator, now)?;
                let (kind, before) = if let Some(service) = CasService::find(conn, &id)? {
                    CasService::remove(conn, &id)?;
                    ("cas_service", service_json(&service))
                } else if let Some(client) = OAuthClient::find(conn, &id)? {
                    OAuthClient::remove(conn, &id)?;
                    ("oauth_client", client_json(&client))
                } else {
                    return Err(ApiError::not_found());
                };
                staff.audit(
                    conn,
                    &format!("{kind}.removed"),
                    (kind, &id),
                    Some(before),
                    None,
                    now,
                )?;
                Ok(())
            })
        })
        .await
}
