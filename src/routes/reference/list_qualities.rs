use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{context::ApiContext, error::ApiError, flows::reference};

/// How a qualité registers.
#[derive(Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationPath {
    /// Match the register of members (`GET /v1/registry/members`, `POST /v1/registry/matches`, then `POST /v1/accounts`).
    Registry,
    /// The external "Autre profil" form (`POST /v1/accounts/external`).
    ExternalForm,
}

/// A profile type ("qualité") a person can register as.
#[derive(Serialize, ToSchema)]
pub struct QualityView {
    /// Stable code, sent back as `quality` when creating an account.
    #[schema(example = "expert_comptable_independant")]
    pub code: String,
    /// The label of the guide, in French.
    #[schema(example = "Expert-comptable indépendant")]
    pub label: String,
    /// The label in English, for integrators.
    #[schema(example = "Chartered accountant, self-employed")]
    pub label_en: String,
    /// Which registration path this qualité takes.
    pub registration_path: RegistrationPath,
}

/// The qualités of the guide, in its order.
#[derive(Serialize, ToSchema)]
pub struct QualityList {
    /// Every qualité.
    pub items: Vec<QualityView>,
}

/// List the profile types a person can register as ("Choisissez votre qualité").
#[utoipa::path(tag = "reference", responses((status = 200, description = "The qualités", body = QualityList)))]
#[get("/qualities")]
pub async fn list_qualities(ctx: web::Data<ApiContext>) -> Result<HttpResponse, ApiError> {
    let qualities = reference::list_qualities(&ctx).await?;
    let items = qualities
        .into_iter()
        .map(|q| QualityView {
            registration_path: if q.registration_path == "external_form" {
                RegistrationPath::ExternalForm
            } else {
                RegistrationPath::Registry
            },
            code: q.code,
            label: q.label_fr,
            label_en: q.label_en,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(QualityList { items }))
}
