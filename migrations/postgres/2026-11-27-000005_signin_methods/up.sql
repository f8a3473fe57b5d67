-- The two sign-in methods besides the password: Expertpass (a QR code approved in the mobile app
-- with an enrolled Ed25519 key) and Signexpert (an X.509 certificate signing a nonce).

CREATE TABLE expertpass_devices (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Chosen by the owner ("iPhone de Marie").
    name TEXT NOT NULL,
    -- The Ed25519 public key, 32 bytes as base64url without padding; a key serves one account.
    public_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX expertpass_devices_account ON expertpass_devices (account_id);

CREATE TABLE expertpass_challenges (
    id TEXT PRIMARY KEY NOT NULL,
    -- Shown in the QR code and signed by the app.
    nonce TEXT NOT NULL,
    -- SHA-256 of the token only the browser that created the challenge holds.
    poll_token_hash TEXT NOT NULL,
    -- 'pending', then 'approved' or 'denied'; 'consumed' once the tokens were handed out.
    status TEXT NOT NULL,
    keep_active BOOLEAN NOT NULL,
    -- Set by the approval: whose device decided.
    account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    device_id TEXT REFERENCES expertpass_devices (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    -- Pending: end of the 2 minutes; approved: end of the window in which the browser collects.
    expires_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    consumed_at TIMESTAMP
);
CREATE INDEX expertpass_challenges_expiry ON expertpass_challenges (expires_at);

CREATE TABLE signexpert_challenges (
    id TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- Set by the first attempt that presents the challenge: a nonce serves once.
    used_at TIMESTAMP
);
CREATE INDEX signexpert_challenges_expiry ON signexpert_challenges (expires_at);

CREATE TABLE signexpert_certificates (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the certificate's DER, lowercase hex; a certificate signs in to one account.
    fingerprint TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    not_after TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX signexpert_certificates_account ON signexpert_certificates (account_id);
