use actix_web::{get, web, HttpResponse};

use super::AccountView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::versions::Scope,
    error::{ApiError, Problem},
    flows::me::profile::profile,
};

/// The signed-in account's profile.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = AccountView),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn get_profile(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let scopes = [Scope::Account(&auth.account_id)];
    ctx.read_cache
        .json(&auth.account_id, "me".to_owned(), &scopes, || async {
            let account = profile(&ctx, &auth).await?;
            Ok(AccountView::from(&account))
        })
        .await
}
