-- "Identifiant ou mot de passe oublié": each request is written here before its 202, for known
-- and unknown addresses alike (the answer and its timing say nothing of the address). A worker
-- then looks the address up, issues the links, queues the email and deletes the row, in one
-- transaction; a request acknowledged just before a crash is taken up after the restart.
CREATE TABLE recovery_requests (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL
);
CREATE INDEX recovery_requests_requested_at ON recovery_requests (requested_at);
