DROP FUNCTION rotate_refresh_token(TEXT, TIMESTAMP, TIMESTAMP, TIMESTAMP, BIGINT, BIGINT, TEXT);

DROP INDEX webhook_events_received;
DROP INDEX login_throttles_window;
DROP INDEX rate_limit_counters_window;
DROP INDEX idempotency_records_created;
DROP INDEX email_verifications_used;
DROP INDEX email_verifications_expiry;
DROP INDEX password_tokens_used;
DROP INDEX password_tokens_expiry;
DROP INDEX security_events_created;
DROP INDEX sessions_revoked;
DROP INDEX sessions_expiry;
DROP INDEX refresh_tokens_rotated;
DROP TABLE leases;
DROP INDEX outbox_emails_dead;
DROP INDEX outbox_emails_sent;
ALTER TABLE outbox_emails DROP COLUMN dead_at;
