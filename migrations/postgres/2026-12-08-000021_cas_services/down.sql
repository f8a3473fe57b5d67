DELETE FROM login_requests WHERE client_id IS NULL;
ALTER TABLE login_requests DROP CONSTRAINT login_requests_one_site;
ALTER TABLE login_requests DROP COLUMN cas_service_id;
ALTER TABLE login_requests ALTER COLUMN client_id SET NOT NULL;
DROP TABLE outbox_cas_logouts;
DROP TABLE cas_service_sessions;
DROP TABLE cas_tickets;
DROP TABLE cas_services;
