-- Tidy over the years (README: Retention). The maintenance task deletes what each table no longer
-- needs; these indexes let it find those rows without reading whole tables.
--
-- An email refused for good (an SMTP 5xx, or too many attempts) is marked dead: the dispatcher
-- stops trying it, `/metrics` counts it, and `comptexpert emails retry` can queue it again.
ALTER TABLE outbox_emails ADD COLUMN dead_at TIMESTAMP;
CREATE INDEX outbox_emails_sent ON outbox_emails (sent_at);
CREATE INDEX outbox_emails_dead ON outbox_emails (dead_at);
-- One row per background job that only one instance may run at a time: whoever holds an unexpired
-- lease runs it, the others skip their turn.
CREATE TABLE leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_rotated ON refresh_tokens (rotated_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at);
CREATE INDEX security_events_created ON security_events (created_at);
CREATE INDEX password_tokens_expiry ON password_tokens (expires_at);
CREATE INDEX password_tokens_used ON password_tokens (used_at);
CREATE INDEX email_verifications_expiry ON email_verifications (expires_at);
CREATE INDEX email_verifications_used ON email_verifications (used_at);
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);
CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_start);
CREATE INDEX login_throttles_window ON login_throttles (window_start);
CREATE INDEX webhook_events_received ON webhook_events (received_at);

-- Sessions have an absolute lifetime besides the sliding one (`SESSION_MAX_DAYS_KEPT_ACTIVE`,
-- `SESSION_MAX_HOURS`): a rotation pushes the expiry back, never past `created_at` plus the cap of
-- the session's kind. The caps come from the caller, in seconds, so that changing the settings
-- needs no migration. A new overload beside the five-argument one, which stays for the instances
-- of the previous release still running during a rolling upgrade.
CREATE FUNCTION rotate_refresh_token(
    presented_hash TEXT,
    moment TIMESTAMP,
    kept_until TIMESTAMP,
    short_until TIMESTAMP,
    kept_cap_seconds BIGINT,
    short_cap_seconds BIGINT,
    new_hash TEXT
) RETURNS SETOF sessions
LANGUAGE plpgsql AS $$
DECLARE
    claimed TEXT;
    rotated sessions;
BEGIN
    UPDATE refresh_tokens AS t SET rotated_at = moment
    FROM sessions AS s
    WHERE t.token_hash = presented_hash AND t.rotated_at IS NULL AND s.id = t.session_id
      AND s.revoked_at IS NULL AND s.expires_at > moment
      -- Past its absolute end a session is over, whatever its sliding expiry says.
      AND s.created_at + CASE WHEN s.keep_active THEN kept_cap_seconds ELSE short_cap_seconds END
          * INTERVAL '1 second' > moment
    RETURNING t.session_id INTO claimed;
    IF claimed IS NULL THEN
        RETURN;
    END IF;
    UPDATE sessions
    SET last_used_at = moment,
        expires_at = CASE WHEN keep_active
            THEN LEAST(kept_until, created_at + kept_cap_seconds * INTERVAL '1 second')
            ELSE LEAST(short_until, created_at + short_cap_seconds * INTERVAL '1 second') END
    WHERE id = claimed AND revoked_at IS NULL
    RETURNING * INTO rotated;
    IF rotated.id IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (new_hash, claimed, moment);
    RETURN NEXT rotated;
END
$$;
