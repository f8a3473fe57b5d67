-- What the OpenID Connect provider hands out once a user has signed in: the SSO cookie of the
-- browser, the grants of the relying parties with their rotating refresh tokens, and the
-- back-channel logout notices owed to those relying parties when the sign-in ends.

-- The browser's single sign-on: an HttpOnly cookie on the API's origin, set when the user comes
-- back from the front end's login page, standing for the ComptExpert session (the SSO session)
-- the user signed in with there. It lives as long as that session does.
CREATE TABLE sso_cookies (
    -- SHA-256 of the cookie's value (256 random bits).
    cookie_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sso_cookies_session ON sso_cookies (session_id);

-- One relying party's tokens for one sign-in: what an authorization code was exchanged for.
-- Bound to the SSO session: when that session ends (sign-out, revocation, password reset),
-- the grant ends with it and the client is told through its back-channel logout URI.
CREATE TABLE oidc_grants (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- The client's refresh lifetime from the grant's creation: refreshing does not extend it.
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX oidc_grants_session ON oidc_grants (session_id);
CREATE INDEX oidc_grants_expiry ON oidc_grants (expires_at);

CREATE TABLE oidc_refresh_tokens (
    -- SHA-256 of the opaque token.
    token_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL REFERENCES oidc_grants (id) ON DELETE CASCADE,
    issued_at TIMESTAMP NOT NULL,
    -- Set when exchanged; presenting it again (after the grace of a concurrent retry) reveals a
    -- theft and revokes the grant, as for the API's own sessions.
    rotated_at TIMESTAMP
);
CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (grant_id);

-- Back-channel logout notices (OpenID Connect Back-Channel Logout 1.0), written in the
-- transaction that ended the session and delivered by the dispatcher: a client that is down for
-- a while still gets its notice. The logout token is signed at each delivery attempt, so that
-- it is fresh when it arrives.
CREATE TABLE outbox_logouts (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    uri TEXT NOT NULL,
    -- The logout token's `sub` and `sid`.
    account_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    dead_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_logouts_due ON outbox_logouts (next_attempt_at);
