-- A pending payment reserves what it pays until it is confirmed, fails, is cancelled by its
-- payer, or expires: past `expires_at` the sweeper fails it and the amount may be paid again.
-- Payments pending before this migration get the default delay of their method, counted from
-- their creation; settled payments keep none.
ALTER TABLE payments ADD COLUMN expires_at TIMESTAMP;
UPDATE payments SET expires_at = strftime('%Y-%m-%d %H:%M:%f', created_at, CASE method
        WHEN 'card' THEN '+2 hours'
        WHEN 'direct_debit' THEN '+336 hours'
        ELSE '+720 hours' END)
    WHERE status = 'pending';
CREATE INDEX payments_pending_expiry ON payments (expires_at) WHERE status = 'pending';
