DROP INDEX payments_pending_expiry;
ALTER TABLE payments DROP COLUMN expires_at;
