DROP INDEX webhook_events_outcome;
ALTER TABLE webhook_events DROP COLUMN detail;
ALTER TABLE webhook_events DROP COLUMN payment_reference;
ALTER TABLE webhook_events DROP COLUMN outcome;
