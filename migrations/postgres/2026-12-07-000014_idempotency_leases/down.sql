DROP INDEX payments_idempotency_key;
ALTER TABLE payments DROP COLUMN idempotency_key;
ALTER TABLE idempotency_records DROP COLUMN locked_until;
