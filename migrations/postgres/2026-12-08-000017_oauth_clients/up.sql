-- The relying parties of the OpenID Connect provider: the Ordre's other sites, each registered
-- by an operator (`comptexpert clients add`). Lists are stored one item per line (URIs) or
-- space-separated (scopes, as OAuth writes them), and read back by `src/db/oauth_clients.rs`.
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- A confidential client authenticates with its secret; a public one (a mobile or browser
    -- application) cannot keep one and must use PKCE.
    confidential BOOLEAN NOT NULL,
    -- SHA-256 of the secret (256 random bits, shown once at registration): a slow hash would add
    -- nothing against guessing and cost every token request.
    secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    backchannel_logout_uri TEXT,
    -- `RS256` (every client library accepts it) or `EdDSA`, on the client's request.
    id_token_alg TEXT NOT NULL CHECK (id_token_alg IN ('RS256', 'EdDSA')),
    access_token_seconds INTEGER NOT NULL,
    refresh_token_seconds INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
