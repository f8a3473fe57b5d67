-- ComptExpert accounts, the links that initialise or reset a password, the email outbox,
-- the rate-limit counters shared by every instance, and idempotent replays.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    -- Never changes once created; never the email.
    identifier TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    quality_code TEXT NOT NULL REFERENCES qualities (code),
    -- The register entry of a member; NULL for "Autre profil" (RAC) accounts. One account per member.
    member_id TEXT UNIQUE REFERENCES members (id),
    civility TEXT NOT NULL CHECK (civility IN ('M', 'MME')),
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    phone TEXT,
    address TEXT,
    city TEXT,
    postal_code TEXT,
    birth_year INTEGER,
    accepts_communications BOOLEAN NOT NULL,
    -- NULL until the owner sets a password through the activation link.
    password_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    activated_at TIMESTAMP
);
CREATE INDEX accounts_email ON accounts (email);

CREATE TABLE password_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the token; the token itself exists only in the email.
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_tokens_account ON password_tokens (account_id);

CREATE TABLE outbox_emails (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A dispatcher claims a message until this instant; another instance skips it meanwhile.
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_emails_due ON outbox_emails (sent_at, next_attempt_at);

CREATE TABLE rate_limit_counters (
    bucket TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE idempotency_records (
    scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);
