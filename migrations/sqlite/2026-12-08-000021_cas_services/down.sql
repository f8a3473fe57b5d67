CREATE TABLE login_requests_old (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
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
    decided_at TIMESTAMP
);
INSERT INTO login_requests_old SELECT id, client_id, redirect_uri, scope, state, nonce,
    code_challenge, prompt, max_age, status, account_id, session_id, continuation_hash,
    created_at, expires_at, decided_at
FROM login_requests WHERE client_id IS NOT NULL;
DROP TABLE login_requests;
ALTER TABLE login_requests_old RENAME TO login_requests;
CREATE INDEX login_requests_expiry ON login_requests (expires_at);
DROP TABLE outbox_cas_logouts;
DROP TABLE cas_service_sessions;
DROP TABLE cas_tickets;
DROP TABLE cas_services;
