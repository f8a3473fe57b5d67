use actix_web::{get, web, HttpResponse};

use super::AccountView;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::accounts::Account,
    error::{ApiError, Problem},
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
    let account_id = auth.account_id;
    ctx.read_cache
        .json(&account_id, "me".to_owned(), || async {
            let id = account_id.clone();
            let account = ctx
                .db
                .run(move |conn| Ok(Account::find(conn, &id)?))
                .await?
                .ok_or_else(ApiError::not_found)?;
            Ok(AccountView::from(&account))
        })
        .await
}
