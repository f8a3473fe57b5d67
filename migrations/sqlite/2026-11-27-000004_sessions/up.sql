-- Sign-in sessions, their rotating refresh tokens, the account's security history, and the
-- per-identifier failure counters of brute-force protection.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- How the session was opened: 'pwd', 'qr' (Expertpass) or 'x509' (Signexpert).
    amr TEXT NOT NULL,
    -- "Garder ma session active": 30-day refresh lifetime instead of 12 hours.
    keep_active BOOLEAN NOT NULL,
    client_address TEXT,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    -- End of the refresh lifetime, pushed back at each rotation.
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the opaque token.
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at TIMESTAMP NOT NULL,
    -- Set when the token is exchanged; presenting it again reveals a theft.
    rotated_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE security_events (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    method TEXT,
    client_address TEXT,
    session_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX security_events_account ON security_events (account_id, created_at);

CREATE TABLE login_throttles (
    -- The identifier as typed (lowercased), known or not: a lock must not reveal existence.
    identifier TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE email_verifications (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the token sent to the new address.
    token_hash TEXT NOT NULL UNIQUE,
    new_email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX email_verifications_account ON email_verifications (account_id);
