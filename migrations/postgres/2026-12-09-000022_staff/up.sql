-- The Ordre's staff: roles granted to existing accounts (`comptexpert staff grant`, or an
-- administrator through the API), the audit trail of what staff did, and the step-ups that let
-- a session older than 15 minutes act as staff.
CREATE TABLE staff_roles (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- `support` (national: accounts), `council` (contributions of one region), `administrator`.
    role TEXT NOT NULL CHECK (role IN ('support', 'council', 'administrator')),
    -- The region of a council role; none for the national roles.
    region_code TEXT REFERENCES regions (code),
    granted_at TIMESTAMP NOT NULL,
    -- `operator` (the command line) or the granting administrator's account id.
    granted_by TEXT NOT NULL,
    CHECK ((role = 'council') = (region_code IS NOT NULL))
);
CREATE UNIQUE INDEX staff_roles_once ON staff_roles (account_id, role, COALESCE(region_code, ''));

-- Append-only: every staff action, who did it as what, to which record, before and after.
-- No endpoint changes or deletes a row, and the triggers below refuse it to anyone else.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    -- Kept as text, without a foreign key: the record outlives the staff member's account.
    actor_account_id TEXT NOT NULL,
    actor_identifier TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    -- `account.unlock`, `account.email_corrected`, `role.granted`…
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    -- JSON documents of the values the action changed, as they were and as they became.
    before_value TEXT,
    after_value TEXT,
    request_id TEXT,
    client_address TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);

-- A password confirmed again by a session's owner: staff actions are allowed for 15 minutes
-- after it, as after a sign-in.
CREATE TABLE session_step_ups (
    session_id TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    stepped_up_at TIMESTAMP NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
