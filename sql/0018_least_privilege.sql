-- Least privilege (issue 17): the server and the CLI connect as a role that is a member of
-- foiflow_app, which may read and write what the workflow needs but may not change history:
-- no UPDATE, DELETE or TRUNCATE on request_events or holiday_changes, and, not owning the
-- tables, no DISABLE TRIGGER. Migrations run as the tables' owner. A role is cluster-wide:
-- creating it twice (two databases migrating at once) is not an error.
DO $$
BEGIN
    CREATE ROLE foiflow_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- The grants, again after every migration (foiflow migrate calls it), so tables added later
-- are covered.
CREATE FUNCTION foiflow_grant_app() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO foiflow_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO foiflow_app', current_schema());
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO foiflow_app', current_schema());
    -- History is appended to, never changed.
    REVOKE UPDATE, DELETE, TRUNCATE ON request_events, holiday_changes FROM foiflow_app;
    -- The migration records are the owner's.
    IF to_regclass('foiflow_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON foiflow_migrations FROM foiflow_app;
    END IF;
END
$$;

-- Reference numbers come from a sequence per kind and year, created on first use: the function
-- does it with its owner's rights, so the application role needs no CREATE on the schema.
ALTER FUNCTION foiflow_next_reference(text, integer) SECURITY DEFINER SET search_path FROM CURRENT;

SELECT foiflow_grant_app();
