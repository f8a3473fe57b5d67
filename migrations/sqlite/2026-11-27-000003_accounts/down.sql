DROP TABLE idempotency_records;
DROP TABLE rate_limit_counters;
DROP TABLE outbox_emails;
DROP TABLE password_tokens;
DROP TABLE accounts;
