DROP INDEX ledger_entries_payment;
DROP INDEX ledger_entries_declaration;
ALTER TABLE ledger_entries DROP COLUMN payment_id;
ALTER TABLE ledger_entries DROP COLUMN declaration_id;
DROP TABLE webhook_events;
DROP TABLE payment_allocations;
DROP TABLE payments;
DROP TABLE declarations;
DROP TABLE contribution_scales;
