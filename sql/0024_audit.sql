-- Issue 26: a history anyone can verify. Every event's digest chains it to the one before it
-- on its request (migration 0022); a recorded digest over every request's chain head lets an
-- authority publish one value a day and show later that no request, event or order changed.
CREATE TABLE audit_digests (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_at timestamptz NOT NULL DEFAULT now(),
    -- Events written at or before this instant are covered (a few minutes before taken_at, so
    -- a transaction still running then cannot add an earlier event afterwards).
    covers   timestamptz NOT NULL,
    requests integer NOT NULL,
    events   bigint NOT NULL,
    digest   bytea NOT NULL
);

-- The digest over every request's chain head as of `upto`: SHA-256 of one line per request
-- with events by then, `REF SEQ HEXDIGEST`, in reference order.
CREATE FUNCTION foiflow_audit_digest(upto timestamptz)
RETURNS TABLE (requests integer, events bigint, digest bytea) LANGUAGE sql STABLE AS $$
    WITH heads AS (
        SELECT DISTINCT ON (e.request_id) e.request_id, e.seq, e.digest
        FROM request_events e
        WHERE e.at <= upto
        ORDER BY e.request_id, e.seq DESC
    )
    SELECT count(*)::integer, coalesce(sum(h.seq), 0)::bigint,
           sha256(convert_to(coalesce(string_agg(r.ref || ' ' || h.seq || ' ' || encode(h.digest, 'hex'), E'\n' ORDER BY r.ref), ''), 'UTF8'))
    FROM heads h JOIN requests r ON r.id = h.request_id
$$;

-- Recorded digests are appended to, never changed (as the history).
CREATE TRIGGER audit_digests_append_only
    BEFORE UPDATE OR DELETE ON audit_digests
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE OR REPLACE FUNCTION foiflow_grant_app() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO foiflow_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO foiflow_app', current_schema());
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO foiflow_app', current_schema());
    -- History is appended to, never changed; so are the recorded digests over it.
    REVOKE UPDATE, DELETE, TRUNCATE ON request_events, holiday_changes, audit_digests FROM foiflow_app;
    -- The migration records are the owner's.
    IF to_regclass('foiflow_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON foiflow_migrations FROM foiflow_app;
    END IF;
END
$$;

SELECT foiflow_grant_app();
