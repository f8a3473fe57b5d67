-- What a regional council does through the API: the dates of a campaign, who booked a refund,
-- a credit or a transfer received and why, and how a refused payment notification was resolved.
-- Every column is new and nullable, so existing rows keep their meaning.
ALTER TABLE campaigns ADD COLUMN opens_on DATE;
-- The date by which contributions are due (the call's deadline).
ALTER TABLE campaigns ADD COLUMN closes_on DATE;

-- A council's entry: the reason it gives, and the account that booked it.
ALTER TABLE ledger_entries ADD COLUMN reason TEXT;
ALTER TABLE ledger_entries ADD COLUMN booked_by TEXT;

-- A refused notification the council has looked at: when, by whom, and what it did about it.
ALTER TABLE webhook_events ADD COLUMN resolved_at TIMESTAMP;
ALTER TABLE webhook_events ADD COLUMN resolved_by TEXT;
ALTER TABLE webhook_events ADD COLUMN resolution TEXT;
