-- Every verified notification is kept with what it did (`applied`, `unchanged`, or why it was
-- refused: `amount_mismatch`, `not_pending`, `unknown_payment`), the reference it named and a
-- short detail: a refused one no longer rolls back with its own record, and the regional council
-- can list them.
ALTER TABLE webhook_events ADD COLUMN outcome TEXT NOT NULL DEFAULT 'applied';
ALTER TABLE webhook_events ADD COLUMN payment_reference TEXT;
ALTER TABLE webhook_events ADD COLUMN detail TEXT;
CREATE INDEX webhook_events_outcome ON webhook_events (outcome, received_at);
