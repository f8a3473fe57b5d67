ALTER TABLE webhook_events DROP COLUMN resolution;
ALTER TABLE webhook_events DROP COLUMN resolved_by;
ALTER TABLE webhook_events DROP COLUMN resolved_at;
ALTER TABLE ledger_entries DROP COLUMN booked_by;
ALTER TABLE ledger_entries DROP COLUMN reason;
ALTER TABLE campaigns DROP COLUMN closes_on;
ALTER TABLE campaigns DROP COLUMN opens_on;
