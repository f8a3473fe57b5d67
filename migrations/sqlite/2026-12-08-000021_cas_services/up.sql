-- CAS 3.0 services: the Ordre's sites that validate service tickets instead of speaking OpenID
-- Connect. Registered with `comptexpert clients add-cas`, beside the OpenID Connect clients.
CREATE TABLE cas_services (
    -- The operator's name for it; shares the namespace of `oauth_clients.client_id`.
    service_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- One per line: an exact URL, or a prefix ending in `/*` (see src/cas/services.rs).
    service_patterns TEXT NOT NULL,
    -- Space-separated: the attributes its ticket validation may return.
    attributes TEXT NOT NULL,
    -- Where the SAML LogoutRequest is POSTed when a session it signed in through ends.
    logout_url TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Service tickets (`ST-…`): single use, bound to the exact service URL, valid seconds.
CREATE TABLE cas_tickets (
    -- SHA-256 of the ticket: a database reader cannot redeem the live ones.
    ticket_hash TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES cas_services (service_id) ON DELETE CASCADE,
    service_url TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The SSO session it was issued from.
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    -- Issued right after a sign-in at the front end (CAS `isFromNewLogin`, what `renew` asks).
    from_new_login BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX cas_tickets_expiry ON cas_tickets (expires_at);

-- The services a session signed in to: a validated ticket, kept in clear (it can no longer be
-- redeemed) because the SAML LogoutRequest names the session by it (`SessionIndex`).
CREATE TABLE cas_service_sessions (
    ticket TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES cas_services (service_id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cas_service_sessions_session ON cas_service_sessions (session_id);

-- Single-logout notices owed to CAS services, written in the transaction that ended the
-- session and delivered by the same dispatcher as the OpenID Connect back-channel notices.
CREATE TABLE outbox_cas_logouts (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES cas_services (service_id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    ticket TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    dead_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_cas_logouts_due ON outbox_cas_logouts (next_attempt_at);

-- A login request is now asked by an OpenID Connect client or by a CAS service (its
-- `redirect_uri` is then the service URL, `prompt` is `login` for `renew=true`). SQLite cannot
-- relax a NOT NULL column: the table is rebuilt, its rows kept.
CREATE TABLE login_requests_new (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    cas_service_id TEXT REFERENCES cas_services (service_id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT,
    nonce TEXT,
    code_challenge TEXT,
    prompt TEXT,
    max_age INTEGER,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'completed')),
    account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    continuation_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    CHECK ((client_id IS NULL) <> (cas_service_id IS NULL))
);
INSERT INTO login_requests_new (id, client_id, redirect_uri, scope, state, nonce, code_challenge,
    prompt, max_age, status, account_id, session_id, continuation_hash, created_at, expires_at,
    decided_at)
SELECT id, client_id, redirect_uri, scope, state, nonce, code_challenge, prompt, max_age, status,
    account_id, session_id, continuation_hash, created_at, expires_at, decided_at
FROM login_requests;
DROP TABLE login_requests;
ALTER TABLE login_requests_new RENAME TO login_requests;
CREATE INDEX login_requests_expiry ON login_requests (expires_at);
