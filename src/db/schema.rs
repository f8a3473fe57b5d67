//! Table definitions shared by both backends (kept by hand: only types that work under
//! `MultiConnection` appear here: Text, Integer, Bool, Date, Timestamp).

diesel::table! {
    qualities (code) {
        code -> Text,
        label_fr -> Text,
        label_en -> Text,
        registration_path -> Text,
        family -> Text,
        position -> Integer,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        supra_number -> Text,
        civility -> Text,
        last_name -> Text,
        first_name -> Text,
        birth_date -> Date,
        registration_year -> Integer,
        quality_code -> Text,
        region_code -> Text,
        email -> Text,
        search_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    member_name_words (member_id, position) {
        member_id -> Text,
        position -> Integer,
        search_key -> Text,
    }
}

diesel::table! {
    firms (id) {
        id -> Text,
        firm_ref -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    bureaux (id) {
        id -> Text,
        bureau_ref -> Text,
        firm_id -> Text,
        region_code -> Text,
        inscription_type -> Text,
        address_line -> Text,
        postal_code -> Text,
        city -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Text,
        region_code -> Text,
        year -> Integer,
        is_open -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        opens_on -> Nullable<Date>,
        closes_on -> Nullable<Date>,
    }
}

diesel::table! {
    personal_files (id) {
        id -> Text,
        member_id -> Text,
        region_code -> Text,
        email -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        identifier -> Text,
        email -> Text,
        quality_code -> Text,
        member_id -> Nullable<Text>,
        civility -> Text,
        last_name -> Text,
        first_name -> Text,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        city -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        birth_year -> Nullable<Integer>,
        accepts_communications -> Bool,
        password_hash -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        activated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_tokens (id) {
        id -> Text,
        account_id -> Text,
        token_hash -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    recovery_requests (id) {
        id -> Text,
        email -> Text,
        requested_at -> Timestamp,
    }
}

diesel::table! {
    outbox_emails (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        dead_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oauth_clients (client_id) {
        client_id -> Text,
        name -> Text,
        confidential -> Bool,
        secret_hash -> Nullable<Text>,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
        scopes -> Text,
        backchannel_logout_uri -> Nullable<Text>,
        id_token_alg -> Text,
        access_token_seconds -> Integer,
        refresh_token_seconds -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_requests (id) {
        id -> Text,
        client_id -> Nullable<Text>,
        cas_service_id -> Nullable<Text>,
        redirect_uri -> Text,
        scope -> Text,
        state -> Nullable<Text>,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        prompt -> Nullable<Text>,
        max_age -> Nullable<Integer>,
        status -> Text,
        account_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        continuation_hash -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        client_id -> Text,
        redirect_uri -> Text,
        account_id -> Text,
        session_id -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        grant_id -> Nullable<Text>,
    }
}

diesel::table! {
    sso_cookies (cookie_hash) {
        cookie_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    oidc_grants (id) {
        id -> Text,
        client_id -> Text,
        account_id -> Text,
        session_id -> Text,
        scope -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    oidc_refresh_tokens (token_hash) {
        token_hash -> Text,
        grant_id -> Text,
        issued_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_roles (id) {
        id -> Text,
        account_id -> Text,
        role -> Text,
        region_code -> Nullable<Text>,
        granted_at -> Timestamp,
        granted_by -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_account_id -> Text,
        actor_identifier -> Text,
        actor_role -> Text,
        action -> Text,
        target_kind -> Text,
        target_id -> Text,
        before_value -> Nullable<Text>,
        after_value -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_address -> Nullable<Text>,
    }
}

diesel::table! {
    session_step_ups (session_id) {
        session_id -> Text,
        stepped_up_at -> Timestamp,
    }
}

diesel::table! {
    cas_services (service_id) {
        service_id -> Text,
        name -> Text,
        service_patterns -> Text,
        attributes -> Text,
        logout_url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cas_tickets (ticket_hash) {
        ticket_hash -> Text,
        service_id -> Text,
        service_url -> Text,
        account_id -> Text,
        session_id -> Text,
        from_new_login -> Bool,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cas_service_sessions (ticket) {
        ticket -> Text,
        session_id -> Text,
        service_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_cas_logouts (id) {
        id -> Text,
        service_id -> Text,
        url -> Text,
        ticket -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        dead_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_logouts (id) {
        id -> Text,
        client_id -> Text,
        uri -> Text,
        account_id -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        dead_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    rate_limit_counters (bucket, window_start) {
        bucket -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    idempotency_records (scope, idempotency_key) {
        scope -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        account_id -> Text,
        amr -> Text,
        keep_active -> Bool,
        client_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        issued_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    security_events (id) {
        id -> Text,
        account_id -> Text,
        kind -> Text,
        method -> Nullable<Text>,
        client_address -> Nullable<Text>,
        session_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_throttles (identifier) {
        identifier -> Text,
        failures -> Integer,
        window_start -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_verifications (id) {
        id -> Text,
        account_id -> Text,
        token_hash -> Text,
        new_email -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    firm_responsables (firm_id, member_id) {
        firm_id -> Text,
        member_id -> Text,
    }
}

diesel::table! {
    bureau_managers (bureau_id, account_id) {
        bureau_id -> Text,
        account_id -> Text,
        granted_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    region_contacts (region_code, account_id) {
        region_code -> Text,
        account_id -> Text,
        email -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        campaign_id -> Text,
        bureau_id -> Text,
        person_kind -> Text,
        member_id -> Nullable<Text>,
        firm_id -> Nullable<Text>,
        declaration_state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Text,
        campaign_id -> Text,
        bureau_id -> Text,
        attachment_id -> Nullable<Text>,
        entry_kind -> Text,
        amount_cents -> BigInt,
        reference -> Nullable<Text>,
        created_at -> Timestamp,
        declaration_id -> Nullable<Text>,
        payment_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        booked_by -> Nullable<Text>,
    }
}

diesel::table! {
    contribution_scales (region_code, campaign_year) {
        region_code -> Text,
        campaign_year -> Integer,
        pp_independant_cents -> BigInt,
        pp_salarie_cents -> BigInt,
        pp_83ter_rate_bp -> Integer,
        pp_83quater_rate_bp -> Integer,
        new_member_year1_reduction_bp -> Integer,
        new_member_year2_reduction_bp -> Integer,
        bureau_fixed_cents -> BigInt,
        pm_fixed_cents -> BigInt,
        pm_per_head_cents -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    declarations (id) {
        id -> Text,
        attachment_id -> Text,
        version -> Integer,
        status -> Text,
        pp_category -> Nullable<Text>,
        new_member_year -> Nullable<Integer>,
        headcount_hundredths -> Nullable<Integer>,
        amount_cents -> BigInt,
        correction_reason -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        superseded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        campaign_id -> Text,
        region_code -> Text,
        firm_id -> Text,
        bureau_id -> Nullable<Text>,
        method -> Text,
        status -> Text,
        amount_cents -> BigInt,
        transfer_reference -> Nullable<Text>,
        provider -> Text,
        provider_reference -> Text,
        checkout_url -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        idempotency_key -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payment_allocations (payment_id, position) {
        payment_id -> Text,
        position -> Integer,
        bureau_id -> Text,
        attachment_id -> Nullable<Text>,
        amount_cents -> BigInt,
    }
}

diesel::table! {
    webhook_events (provider, event_id) {
        provider -> Text,
        event_id -> Text,
        event_type -> Text,
        payment_id -> Nullable<Text>,
        received_at -> Timestamp,
        outcome -> Text,
        payment_reference -> Nullable<Text>,
        detail -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        resolution -> Nullable<Text>,
    }
}

diesel::table! {
    expertpass_devices (id) {
        id -> Text,
        account_id -> Text,
        name -> Text,
        public_key -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    expertpass_challenges (id) {
        id -> Text,
        nonce -> Text,
        poll_token_hash -> Text,
        status -> Text,
        keep_active -> Bool,
        account_id -> Nullable<Text>,
        device_id -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        consumed_at -> Nullable<Timestamp>,
        number -> Integer,
        number_choices -> Text,
        user_agent -> Nullable<Text>,
        client_network -> Nullable<Text>,
    }
}

diesel::table! {
    signexpert_challenges (id) {
        id -> Text,
        nonce -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signexpert_certificates (id) {
        id -> Text,
        account_id -> Text,
        fingerprint -> Text,
        subject -> Text,
        issuer -> Text,
        serial_number -> Text,
        not_after -> Timestamp,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(members -> qualities (quality_code));
diesel::joinable!(members -> regions (region_code));
diesel::joinable!(bureaux -> firms (firm_id));
diesel::joinable!(bureaux -> regions (region_code));
diesel::joinable!(campaigns -> regions (region_code));
diesel::joinable!(personal_files -> members (member_id));
diesel::joinable!(member_name_words -> members (member_id));
diesel::joinable!(accounts -> members (member_id));
diesel::joinable!(password_tokens -> accounts (account_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(email_verifications -> accounts (account_id));
diesel::joinable!(bureau_managers -> bureaux (bureau_id));
diesel::joinable!(bureau_managers -> accounts (account_id));
diesel::joinable!(attachments -> bureaux (bureau_id));
diesel::joinable!(attachments -> campaigns (campaign_id));
diesel::joinable!(ledger_entries -> bureaux (bureau_id));
diesel::joinable!(declarations -> attachments (attachment_id));
diesel::joinable!(payment_allocations -> payments (payment_id));
diesel::joinable!(payment_allocations -> bureaux (bureau_id));
diesel::joinable!(payments -> firms (firm_id));
diesel::joinable!(payments -> campaigns (campaign_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(sso_cookies -> sessions (session_id));
diesel::joinable!(oidc_grants -> sessions (session_id));
diesel::joinable!(oidc_grants -> oauth_clients (client_id));
diesel::joinable!(oidc_refresh_tokens -> oidc_grants (grant_id));
diesel::joinable!(cas_service_sessions -> cas_services (service_id));
diesel::joinable!(staff_roles -> accounts (account_id));
diesel::joinable!(session_step_ups -> sessions (session_id));
diesel::joinable!(cas_tickets -> cas_services (service_id));
diesel::joinable!(security_events -> accounts (account_id));

diesel::joinable!(expertpass_devices -> accounts (account_id));
diesel::joinable!(signexpert_certificates -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    qualities,
    regions,
    members,
    member_name_words,
    firms,
    bureaux,
    campaigns,
    personal_files,
    accounts,
    password_tokens,
    outbox_emails,
    recovery_requests,
    rate_limit_counters,
    idempotency_records,
    sessions,
    refresh_tokens,
    security_events,
    login_throttles,
    email_verifications,
    firm_responsables,
    bureau_managers,
    region_contacts,
    attachments,
    ledger_entries,
    expertpass_devices,
    expertpass_challenges,
    signexpert_challenges,
    signexpert_certificates,
    contribution_scales,
    declarations,
    payments,
    payment_allocations,
    webhook_events,
    leases,
    oauth_clients,
    login_requests,
    authorization_codes,
    sso_cookies,
    oidc_grants,
    oidc_refresh_tokens,
    outbox_logouts,
    cas_services,
    cas_tickets,
    staff_roles,
    audit_log,
    session_step_ups,
    cas_service_sessions,
    outbox_cas_logouts,
);
