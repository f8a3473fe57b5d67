//! Registering the Ordre's sites as relying parties (`comptexpert clients …`): OpenID Connect
//! clients and CAS services, whose ids share one namespace.

use chrono::NaiveDateTime;
use diesel::Connection;

use crate::{
    cas::services::{InvalidService, ServiceSpec},
    context::ApiContext,
    db::{self, cas::CasService, oauth_clients::OAuthClient, DbConnection},
    error::ApiError,
    oidc::clients::{ClientSpec, InvalidClient},
};

/// Why a registration did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Invalid(#[from] InvalidClient),
    #[error("{0}")]
    InvalidService(#[from] InvalidService),
    #[error("a client {0:?} is already registered")]
    Taken(String),
    #[error("no client {0:?} is registered")]
    Unknown(String),
    #[error("{0}")]
    Failed(#[from] ApiError),
}

impl From<diesel::result::Error> for ClientError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

/// What was stored, and the secret of a confidential client (shown once, kept only hashed).
pub struct Registered {
    pub client: OAuthClient,
    pub secret: Option<String>,
}

/// Registers a new client, in the caller's transaction: [`ClientError::Taken`] when the id is a
/// client's or a CAS service's already.
pub fn add_in(conn: &mut DbConnection, client: &OAuthClient) -> Result<(), ClientError> {
    if CasService::find(conn, &client.client_id)?.is_some() {
        return Err(ClientError::Taken(client.client_id.clone()));
    }
    // In a savepoint, so that a unique violation leaves the transaction usable on PostgreSQL.
    match conn.transaction(|conn| client.insert(conn)) {
        Ok(()) => Ok(()),
        Err(e) if db::is_unique_violation(&e) => Err(ClientError::Taken(client.client_id.clone())),
        Err(e) => Err(e.into()),
    }
}

/// Registers a new client.
pub async fn add(ctx: &ApiContext, spec: ClientSpec) -> Result<Registered, ClientError> {
    let (client, secret) = spec.validate()?.into_client(ctx.clock.now());
    let stored = client.clone();
    ctx.db
        .run(move |conn| Ok(db::write_transaction(conn, |conn| add_in(conn, &stored))))
        .await??;
    Ok(Registered { client, secret })
}

/// Every registered client.
pub async fn list(ctx: &ApiContext) -> Result<Vec<OAuthClient>, ClientError> {
    Ok(ctx.db.run(|conn| Ok(OAuthClient::all(conn)?)).await?)
}

/// One client.
pub async fn show(ctx: &ApiContext, client_id: &str) -> Result<OAuthClient, ClientError> {
    let id = client_id.to_owned();
    ctx.db
        .run(move |conn| Ok(OAuthClient::find(conn, &id)?))
        .await?
        .ok_or_else(|| ClientError::Unknown(client_id.to_owned()))
}

/// Changes the client `id` with `change` (checked again as a whole), in the caller's
/// transaction: the client before, and what was stored. With `new_secret`, a confidential
/// client gets a new secret and the old one stops working.
pub fn update_in(
    conn: &mut DbConnection,
    id: &str,
    change: impl FnOnce(&mut ClientSpec),
    new_secret: bool,
    now: NaiveDateTime,
) -> Result<(OAuthClient, Registered), ClientError> {
    let current = OAuthClient::find_for_update(conn, id)?
        .ok_or_else(|| ClientError::Unknown(id.to_owned()))?;
    let mut spec = ClientSpec::of(&current);
    change(&mut spec);
    spec.client_id = current.client_id.clone();
    if new_secret && !spec.confidential {
        return Err(ClientError::Invalid(InvalidClient(format!(
            "{id:?} is a public client: it has no secret"
        ))));
    }
    let became_confidential = spec.confidential && !current.confidential;
    let (mut client, secret) = spec.validate()?.into_client(now);
    client.created_at = current.created_at;
    let secret = if new_secret || became_confidential {
        secret
    } else {
        // Unchanged: the secret it has (or none, for a public client).
        client.secret_hash = if client.confidential {
            current.secret_hash.clone()
        } else {
            None
        };
        None
    };
    client.update(conn)?;
    Ok((current, Registered { client, secret }))
}

/// Changes a client with `change` (checked again as a whole), reading and writing it in one
/// transaction so that two updates at once do not lose one; with `new_secret`, a confidential
/// client gets a new secret and the old one stops working.
pub async fn update(
    ctx: &ApiContext,
    client_id: &str,
    change: impl FnOnce(&mut ClientSpec) + Send + 'static,
    new_secret: bool,
) -> Result<Registered, ClientError> {
    let id = client_id.to_owned();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            Ok(db::write_transaction(conn, |conn| {
                update_in(conn, &id, change, new_secret, now).map(|(_, registered)| registered)
            }))
        })
        .await?
}

/// Removes a client: its users' sessions stay, but it can no longer sign anyone in.
pub async fn remove(ctx: &ApiContext, client_id: &str) -> Result<(), ClientError> {
    let id = client_id.to_owned();
    let removed = ctx
        .db
        .run(move |conn| {
            Ok(db::write_transaction(conn, |conn| {
                OAuthClient::remove(conn, &id)
            })?)
        })
        .await?;
    if removed {
        Ok(())
    } else {
        Err(ClientError::Unknown(client_id.to_owned()))
    }
}

/// Registers a new CAS service in the caller's transaction ([`ClientError::Taken`] when the id
/// is used).
pub fn add_cas_in(conn: &mut DbConnection, service: &CasService) -> Result<(), ClientError> {
    if OAuthClient::find(conn, &service.service_id)?.is_some() {
        return Err(ClientError::Taken(service.service_id.clone()));
    }
    match conn.transaction(|conn| service.insert(conn)) {
        Ok(()) => Ok(()),
        Err(e) if db::is_unique_violation(&e) => {
            Err(ClientError::Taken(service.service_id.clone()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Registers a new CAS service.
pub async fn add_cas(ctx: &ApiContext, spec: ServiceSpec) -> Result<CasService, ClientError> {
    let service = spec.validate()?.into_service(ctx.clock.now());
    let stored = service.clone();
    ctx.db
        .run(move |conn| {
            Ok(db::write_transaction(conn, |conn| {
                add_cas_in(conn, &stored)
            }))
        })
        .await??;
    Ok(service)
}

/// Every registered CAS service.
pub async fn list_cas(ctx: &ApiContext) -> Result<Vec<CasService>, ClientError> {
    Ok(ctx.db.run(|conn| Ok(CasService::all(conn)?)).await?)
}

/// One CAS service, if `service_id` names one.
pub async fn find_cas(
    ctx: &ApiContext,
    service_id: &str,
) -> Result<Option<CasService>, ClientError> {
    let id = service_id.to_owned();
    Ok(ctx
        .db
        .run(move |conn| Ok(CasService::find(conn, &id)?))
        .await?)
}

/// Changes the CAS service `id` with `change` (checked again as a whole) in the caller's
/// transaction: the service before, and after.
pub fn update_cas_in(
    conn: &mut DbConnection,
    id: &str,
    change: impl FnOnce(&mut ServiceSpec),
    now: NaiveDateTime,
) -> Result<(CasService, CasService), ClientError> {
    let current = CasService::find(conn, id)?.ok_or_else(|| ClientError::Unknown(id.to_owned()))?;
    let mut spec = ServiceSpec::of(&current);
    change(&mut spec);
    spec.service_id = current.service_id.clone();
    let mut service = spec.validate()?.into_service(now);
    service.created_at = current.created_at;
    service.update(conn)?;
    Ok((current, service))
}

/// Changes a CAS service with `change` (checked again as a whole), in one transaction.
pub async fn update_cas(
    ctx: &ApiContext,
    service_id: &str,
    change: impl FnOnce(&mut ServiceSpec) + Send + 'static,
) -> Result<CasService, ClientError> {
    let id = service_id.to_owned();
    let now = ctx.clock.now();
    ctx.db
        .run(move |conn| {
            Ok(db::write_transaction(conn, |conn| {
                update_cas_in(conn, &id, change, now).map(|(_, after)| after)
            }))
        })
        .await?
}

/// Removes a CAS service: it can no longer sign anyone in; its pending notices are dropped.
pub async fn remove_cas(ctx: &ApiContext, service_id: &str) -> Result<bool, ClientError> {
    let id = service_id.to_owned();
    Ok(ctx
        .db
        .run(move |conn| {
            Ok(db::write_transaction(conn, |conn| {
                CasService::remove(conn, &id)
            })?)
        })
        .await?)
}
