-- The usual refresh-token exchange in one call (PostgreSQL only; SQLite runs the same steps as
-- separate statements in one transaction, see Session::rotate in src/db/sessions.rs). PL/pgSQL
-- keeps the plans of these statements for the life of each connection: sent as one ad-hoc
-- statement they were parsed and planned at every refresh, which bound refresh throughput.
--
-- Claims the token if it is unused and its session live, pushes the session's expiry back, issues
-- the new token (its digest given by the caller) and returns the session; returns no row when it
-- did not rotate (unknown, used, expired or revoked: the caller then tells these cases apart). Of
-- two concurrent calls with one token, the second waits on the first's row lock, then finds
-- rotated_at set and returns nothing.
CREATE FUNCTION rotate_refresh_token(
    presented_hash TEXT,
    moment TIMESTAMP,
    kept_until TIMESTAMP,
    short_until TIMESTAMP,
    new_hash TEXT
) RETURNS SETOF sessions
LANGUAGE plpgsql AS $$
DECLARE
    claimed TEXT;
    rotated sessions;
BEGIN
    UPDATE refresh_tokens AS t SET rotated_at = moment
    FROM sessions AS s
    WHERE t.token_hash = presented_hash AND t.rotated_at IS NULL AND s.id = t.session_id
      AND s.revoked_at IS NULL AND s.expires_at > moment
    RETURNING t.session_id INTO claimed;
    IF claimed IS NULL THEN
        RETURN;
    END IF;
    UPDATE sessions
    SET last_used_at = moment,
        expires_at = CASE WHEN keep_active THEN kept_until ELSE short_until END
    WHERE id = claimed AND revoked_at IS NULL
    RETURNING * INTO rotated;
    IF rotated.id IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (new_hash, claimed, moment);
    RETURN NEXT rotated;
END
$$;
