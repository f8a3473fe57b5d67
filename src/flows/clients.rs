//! Registering the Ordre's sites as relying parties (`comptexpert clients …`).

use crate::{
    context::ApiContext,
    db::{self, oauth_clients::OAuthClient},
    error::ApiError,
    oidc::clients::{ClientSpec, InvalidClient},
};

/// Why a registration did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Invalid(#[from] InvalidClient),
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

/// Registers a new client.
pub async fn add(ctx: &ApiContext, spec: ClientSpec) -> Result<Registered, ClientError> {
    let (client, secret) = spec.validate()?.into_client(ctx.clock.now());
    let stored = client.clone();
    let inserted = ctx
        .db
        .run(move |conn| {
            Ok(db::write_transaction(conn, |conn| stored.insert(conn))
                .map(|()| true)
                .or_else(|e| {
                    if db::is_unique_violation(&e) {
                        Ok(false)
                    } else {
                        Err(e)
                    }
                })?)
        })
        .await?;
    if !inserted {
        return Err(ClientError::Taken(client.client_id));
    }
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
                let current = OAuthClient::find_for_update(conn, &id)?
                    .ok_or_else(|| ClientError::Unknown(id.clone()))?;
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
                Ok(Registered { client, secret })
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
