-- Revocation reaches running sessions: every change to users (a user disabled, a token
-- rotated, a role changed, a user removed) bumps one version and notifies the servers,
-- which then check each authenticated session's user again before its next command.
CREATE TABLE credentials_state (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint  NOT NULL
);
INSERT INTO credentials_state (id, version) VALUES (1, 1);

CREATE FUNCTION foiflow_credentials_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    UPDATE credentials_state SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    -- Delivered at commit, to every session that LISTENs (the servers).
    PERFORM pg_notify('foiflow_credentials', v::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER users_credentials_changed
    AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION foiflow_credentials_changed();
