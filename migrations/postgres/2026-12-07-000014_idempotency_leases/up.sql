-- An `Idempotency-Key` reservation is held for a lease: a retry after it takes the key over
-- (the first attempt is taken for dead) instead of answering "in progress" forever. Records of
-- before this migration have none and count as expired.
ALTER TABLE idempotency_records ADD COLUMN locked_until TIMESTAMP;
-- The key a payment was made with, so that a retry that takes a key over finds the payment an
-- earlier attempt made and completes or replays it instead of paying twice. One live payment per
-- payer and key; a failed one no longer counts.
ALTER TABLE payments ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX payments_idempotency_key ON payments (created_by, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND status <> 'failed';
