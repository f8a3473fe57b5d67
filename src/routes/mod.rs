//! HTTP only: extract, call one use case ([`crate::flows`]), map its outcome to a response. Every route of the API is visible here.

pub mod accounts;
pub mod cas;
mod client;
pub mod decode_errors;
pub mod email_verifications;
pub mod expertpass;
pub mod fallback;
pub mod health;
pub mod login_requests;
pub mod me;
pub mod oauth2;
pub mod password_tokens;
pub mod payments;
pub mod portal;
pub mod recovery;
pub mod reference;
pub mod registry;
pub mod sessions;
pub mod signexpert;
pub mod staff;
pub mod well_known;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every documented route. Routes go through `utoipa_actix_web`, whose `service`
/// only accepts handlers annotated with `#[utoipa::path]`: an undocumented route does not compile.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::liveness::health)
        .service(health::readiness::ready)
        .service(well_known::jwks::jwks)
        .service(well_known::openid_configuration::openid_configuration)
        .service(oauth2::authorize::authorize)
        .service(oauth2::authorize::resume)
        .service(oauth2::token::token)
        .service(oauth2::userinfo::userinfo)
        .service(oauth2::userinfo::userinfo_by_post)
        .service(oauth2::logout::logout)
        .service(oauth2::logout::logout_by_post)
        .service(cas::cas_login)
        .service(cas::cas_validate)
        .service(cas::cas_service_validate)
        .service(cas::cas_p3_service_validate)
        .service(cas::cas_proxy_validate)
        .service(cas::cas_p3_proxy_validate)
        .service(cas::cas_proxy)
        .service(cas::cas_logout)
        .service(
            scope::scope("/v1")
                .service(reference::list_qualities::list_qualities)
                .service(reference::list_regions::list_regions)
                .service(registry::search_members::search_members)
                .service(registry::match_member::match_member)
                .service(accounts::create_member_account::create_member_account)
                .service(accounts::create_external_account::create_external_account)
                .service(password_tokens::inspect::inspect)
                .service(password_tokens::set_password::set_password)
                .service(sessions::create::create)
                .service(sessions::refresh::refresh)
                .service(sessions::revoke::revoke)
                .service(sessions::delete_current::delete_current)
                .service(expertpass::create_challenge::create_challenge)
                .service(expertpass::poll_challenge::poll_challenge)
                .service(expertpass::read_context::read_context)
                .service(expertpass::approve::approve)
                .service(signexpert::create_challenge::create_challenge)
                .service(signexpert::create_session::create_session)
                .service(recovery::request::request)
                .service(me::get_profile::get_profile)
                .service(me::update_profile::update_profile)
                .service(me::change_password::change_password)
                .service(me::request_email_change::request_email_change)
                .service(me::sessions::list_sessions)
                .service(me::sessions::revoke_session)
                .service(me::security_events::security_events)
                .service(email_verifications::confirm::confirm)
                .service(portal::list_regions::list_regions)
                .service(portal::list_bureaux::list_bureaux)
                .service(portal::bureau_detail::bureau_detail)
                .service(portal::email_conflict::email_conflict)
                .service(portal::email_choice::email_choice)
                .service(portal::managers::list_managers)
                .service(portal::managers::grant_manager)
                .service(portal::managers::revoke_manager)
                .service(me::devices::enrol::enrol)
                .service(me::devices::list::list)
                .service(me::devices::remove::remove)
                .service(me::certificates::enrol::enrol)
                .service(me::certificates::list::list)
                .service(me::certificates::remove::remove)
                .service(portal::attach_person::attach_person)
                .service(portal::detach_person::detach_person)
                .service(portal::save_declaration::save_declaration)
                .service(portal::submit_declaration::submit_declaration)
                .service(portal::correct_declaration::correct_declaration)
                .service(portal::declaration_history::declaration_history)
                .service(portal::create_payment::pay_bureau)
                .service(portal::create_payment::pay_firm)
                .service(portal::get_payment::get_payment)
                .service(portal::cancel_payment::cancel_payment)
                .service(portal::documents::list_documents)
                .service(portal::documents::call_for_contributions)
                .service(portal::documents::payment_receipt)
                .service(portal::transfer_instructions::transfer_instructions)
                .service(payments::webhook::receive_webhook)
                .service(staff::staff_me)
                .service(staff::step_up)
                .service(staff::step_up_with_certificate)
                .service(staff::accounts::search_accounts)
                .service(staff::accounts::account_state)
                .service(staff::accounts::account_security_events)
                .service(staff::accounts::unlock_account)
                .service(staff::accounts::resend_activation_link)
                .service(staff::accounts::send_reset_link)
                .service(staff::accounts::correct_email)
                .service(staff::accounts::revoke_account_sessions)
                .service(staff::accounts::account_emails)
                .service(staff::accounts::account_credentials)
                .service(staff::accounts::remove_account_device)
                .service(staff::accounts::remove_account_certificate)
                .service(staff::roles::list_roles)
                .service(staff::roles::grant_role)
                .service(staff::roles::revoke_role)
                .service(staff::audit::read_audit_log)
                .service(staff::audit::export_audit_log)
                .service(staff::clients::list_sites)
                .service(staff::clients::register_client)
                .service(staff::clients::update_client)
                .service(staff::clients::remove_site)
                .service(staff::clients::register_cas_service)
                .service(staff::clients::update_cas_service)
                .service(staff::council::list_region_campaigns)
                .service(staff::council::put_region_campaign)
                .service(staff::council::upload_region_scale)
                .service(staff::council::list_region_bureaux)
                .service(staff::council::region_bureau_account)
                .service(staff::council::list_region_bureau_managers)
                .service(staff::council::grant_region_bureau)
                .service(staff::council::revoke_region_bureau)
                .service(staff::council::book_region_entry)
                .service(staff::council::record_transfer_received)
                .service(staff::council::list_refused_events)
                .service(staff::council::resolve_refused_event)
                .service(staff::council::export_region_declarations)
                .service(staff::council::export_region_payments)
                .service(staff::council::region_campaign_summary)
                .service(login_requests::read)
                .service(login_requests::accept)
                .service(login_requests::reject),
        );
}
