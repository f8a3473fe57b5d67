-- The OpenID Connect provider's sign-in, headless: `/oauth2/authorize` records what a relying
-- party asks for as a login request and sends the browser to the front end's login page; the
-- front end signs the user in and accepts the request; the browser comes back with a one-time
-- continuation, gets the SSO cookie and the relying party its authorization code.
CREATE TABLE login_requests (
    -- Random (256 bits): the front end's URL carries it, and it reveals only what is asked.
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT,
    nonce TEXT,
    -- S256 only (src/oidc/pkce.rs).
    code_challenge TEXT,
    -- `login` forces a new sign-in; `none` never reaches a login request.
    prompt TEXT,
    max_age INTEGER,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'completed')),
    -- Who accepted it, with which session.
    account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    -- SHA-256 of the one-time continuation handed to the front end that accepted it: only the
    -- browser it sends back may collect the SSO cookie (no one else who saw the request's id).
    continuation_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX login_requests_expiry ON login_requests (expires_at);
