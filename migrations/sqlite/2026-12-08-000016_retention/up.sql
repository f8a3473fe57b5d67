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
