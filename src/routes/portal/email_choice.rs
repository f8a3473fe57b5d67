use actix_web::{put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{email_conflict::no_conflict, region_not_found, viewer_of};
use crate::domain::states::SecurityEventKind;
use crate::{
    auth::extractor::Authenticated,
    context::ApiContext,
    db::{
        self, portal,
        schema::accounts,
        security_events::{NewEvent, SecurityEvent},
    },
    domain::email::mask,
    error::{ApiError, Problem},
    i18n::{Lang, Text},
    mail::{outbox, templates::Template},
};

/// Which address to keep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailSource {
    /// Keep the ComptExpert account's address (the regional file takes it).
    Comptexpert,
    /// Keep the regional file's address (the account takes it).
    File,
}

/// The choice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailChoiceRequest {
    pub choice: EmailSource,
}

/// The address now used by both records.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChoiceConfirmed {
    #[schema(example = "j…@cabinet.fr")]
    pub email_masked: String,
    /// The guide's confirmation message, in the response's language (French by default).
    pub message: String,
}

/// Resolve the email conflict: both the account and the regional file take the chosen address, in
/// one transaction, with a security event. When the file's address wins, the account's address
/// changes and the old address receives a notice.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Region code")),
    request_body = EmailChoiceRequest,
    responses(
        (status = 200, description = "Both records hold the chosen address", body = EmailChoiceConfirmed),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`no_email_conflict`, or `region_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: choice is neither `comptexpert` nor `file`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/portal/regions/{code}/email-choice")]
pub async fn email_choice(
    ctx: web::Data<ApiContext>,
    auth: Authenticated,
    code: web::Path<String>,
    body: web::Json<EmailChoiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let region_code = code.into_inner();
    let choice = body.into_inner().choice;
    let chosen = ctx
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                use diesel::prelude::*;
                if !crate::db::reference::Region::exists(conn, &region_code)? {
                    return Err(region_not_found());
                }
                let (account, viewer) = viewer_of(conn, &auth)?;
                let file_email = match portal::regional_file_email(conn, &viewer, &region_code)? {
                    Some(file_email) if !file_email.eq_ignore_ascii_case(&account.email) => {
                        file_email
                    }
                    _ => return Err(no_conflict()),
                };
                let now = db::now();
                let chosen = match choice {
                    EmailSource::Comptexpert => account.email.clone(),
                    EmailSource::File => file_email.to_lowercase(),
                };
                portal::set_regional_file_email(conn, &viewer, &region_code, &chosen, now)?;
                if chosen != account.email {
                    diesel::update(accounts::table.find(&account.id))
                        .set((accounts::email.eq(&chosen), accounts::updated_at.eq(now)))
                        .execute(conn)?;
                    outbox::enqueue(
                        conn,
                        &account.email,
                        &Template::EmailChangeNotice {
                            greeting_name: account.greeting_name(),
                            new_email_masked: mask(&chosen),
                        },
                    )?;
                }
                SecurityEvent::record(
                    conn,
                    NewEvent {
                        account_id: &account.id,
                        kind: SecurityEventKind::EmailChanged,
                        method: None,
                        client_address: None,
                        session_id: Some(&auth.session_id),
                    },
                    now,
                )?;
                Ok(chosen)
            })
        })
        .await?;
    let masked = mask(&chosen);
    Ok(HttpResponse::Ok().json(EmailChoiceConfirmed {
        message: Text::owned(
            format!("Votre choix a bien été enregistré : l'adresse {masked} est désormais utilisée pour votre compte ComptExpert et pour votre dossier régional."),
            format!("Your choice is saved: {masked} is now the address of your ComptExpert account and of your regional file."),
        )
        .get(Lang::current())
        .to_owned(),
        email_masked: masked,
    }))
}
