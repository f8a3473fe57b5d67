-- Authorization codes of the OpenID Connect provider (RFC 6749 §4.1.2): single use, 60 s, bound
-- to the client, the redirect URI and the PKCE challenge. Kept after use (`used_at`) until they
-- expire and the maintenance removes them: a code presented a second time is an attack or a
-- leak, and what the first use produced (`grant_id`) is then revoked (§4.1.2, §10.5).
CREATE TABLE authorization_codes (
    -- SHA-256 of the code.
    code_hash TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The ComptExpert session (the SSO session) the user signed in with.
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    -- What the exchange issued, to revoke on a second presentation.
    grant_id TEXT
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);
