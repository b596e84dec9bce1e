-- Issue 28: day-to-day operation.

-- The unit's own details, which letters name when a request has no lead officer and which
-- every server and job reads (one row; the FOIFLOW_UNIT_* environment variables are only the
-- default while it is empty).
CREATE TABLE unit_details (
    id         integer PRIMARY KEY CHECK (id = 1),
    name       text,
    email      text,
    phone      text,
    address    text,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The requester's telephone number: personal data, beside the rest of it (and anonymised
-- with it). `contact=phone` needs one.
ALTER TABLE requests ADD COLUMN phone text;

-- Every change to users, policy, published commitments and the unit's details: who (the
-- login a command ran as, `foiflow.actor` set in its transaction; else the database user),
-- when, and what. Staff's names, e-mail addresses and telephone numbers are named as changed,
-- never written here; role, team, policy, commitments and the unit's details are.
-- Appended to only.
CREATE TABLE change_log (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    subject text NOT NULL CHECK (subject IN ('user', 'policy', 'commitment', 'unit')),
    target  text NOT NULL,
    change  text NOT NULL
);
CREATE INDEX change_log_at ON change_log (at);

CREATE FUNCTION foiflow_change_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('foiflow.actor', true), ''), 'db:' || session_user)
$$;

-- `old → new` when a value changed; NULL when it did not.
CREATE FUNCTION foiflow_changed(label text, old_value text, new_value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN old_value IS DISTINCT FROM new_value
        THEN label || ' ' || coalesce(old_value, '(none)') || ' → ' || coalesce(new_value, '(none)') END
$$;

-- `label changed` (or set, or removed) when a personal value changed, without the value.
CREATE FUNCTION foiflow_changed_quietly(label text, old_value text, new_value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN old_value IS NOT DISTINCT FROM new_value THEN NULL
        WHEN old_value IS NULL THEN label || ' set'
        WHEN new_value IS NULL THEN label || ' removed'
        ELSE label || ' changed' END
$$;

CREATE FUNCTION foiflow_log_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    what text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        what := concat_ws('; ', 'added as ' || NEW.role, 'team ' || NEW.team, CASE WHEN NEW.name IS NOT NULL THEN 'name set' END,
                          CASE WHEN NEW.email IS NOT NULL THEN 'email set' END, CASE WHEN NEW.phone IS NOT NULL THEN 'phone set' END);
    ELSIF TG_OP = 'DELETE' THEN
        what := 'removed';
    ELSE
        what := concat_ws('; ',
            foiflow_changed('role', OLD.role, NEW.role),
            foiflow_changed('team', OLD.team, NEW.team),
            foiflow_changed_quietly('name', OLD.name, NEW.name),
            foiflow_changed_quietly('email', OLD.email, NEW.email),
            foiflow_changed_quietly('phone', OLD.phone, NEW.phone),
            CASE WHEN OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL THEN 'disabled' END,
            CASE WHEN OLD.disabled_at IS NOT NULL AND NEW.disabled_at IS NULL THEN 'enabled' END,
            CASE WHEN NEW.token_hash IS NOT NULL AND OLD.token_hash IS DISTINCT FROM NEW.token_hash THEN 'new API token' END);
    END IF;
    IF what <> '' THEN
        INSERT INTO change_log (actor, subject, target, change)
        VALUES (foiflow_change_actor(), 'user', coalesce(NEW.login, OLD.login), what);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_logged AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION foiflow_log_user_change();

CREATE FUNCTION foiflow_log_policy_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (actor, subject, target, change) VALUES (foiflow_change_actor(), 'policy', OLD.key, 'cleared');
    ELSIF TG_OP = 'INSERT' OR OLD.value IS DISTINCT FROM NEW.value THEN
        INSERT INTO change_log (actor, subject, target, change)
        VALUES (foiflow_change_actor(), 'policy', NEW.key,
                CASE WHEN TG_OP = 'INSERT' THEN 'set to ' || coalesce(nullif(NEW.value, ''), 'none')
                     ELSE coalesce(nullif(OLD.value, ''), 'none') || ' → ' || coalesce(nullif(NEW.value, ''), 'none') END);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER policy_logged AFTER INSERT OR UPDATE OR DELETE ON policy
    FOR EACH ROW EXECUTE FUNCTION foiflow_log_policy_change();

CREATE FUNCTION foiflow_log_commitment_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (actor, subject, target, change) VALUES (foiflow_change_actor(), 'commitment', OLD.kind, 'cleared');
    ELSIF TG_OP = 'INSERT' OR (OLD.unit, OLD.amount, OLD.text) IS DISTINCT FROM (NEW.unit, NEW.amount, NEW.text) THEN
        INSERT INTO change_log (actor, subject, target, change)
        VALUES (foiflow_change_actor(), 'commitment', NEW.kind,
                'set to ' || NEW.amount || ' ' || NEW.unit || ': ' || NEW.text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER commitments_logged AFTER INSERT OR UPDATE OR DELETE ON commitments
    FOR EACH ROW EXECUTE FUNCTION foiflow_log_commitment_change();

-- The unit's details are the organisation's, not a person's: their values are logged.
CREATE FUNCTION foiflow_log_unit_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    what text;
BEGIN
    what := concat_ws('; ',
        foiflow_changed('name', CASE WHEN TG_OP = 'UPDATE' THEN OLD.name END, NEW.name),
        foiflow_changed('email', CASE WHEN TG_OP = 'UPDATE' THEN OLD.email END, NEW.email),
        foiflow_changed('phone', CASE WHEN TG_OP = 'UPDATE' THEN OLD.phone END, NEW.phone),
        foiflow_changed('address', CASE WHEN TG_OP = 'UPDATE' THEN OLD.address END, NEW.address));
    IF what <> '' THEN
        INSERT INTO change_log (actor, subject, target, change) VALUES (foiflow_change_actor(), 'unit', 'details', what);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER unit_details_logged AFTER INSERT OR UPDATE ON unit_details
    FOR EACH ROW EXECUTE FUNCTION foiflow_log_unit_change();

-- `ACT ref amend field=value ...`: a correction of the requester's details, subject or team.
ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome',
    'hold', 'release', 'anonymised', 'acknowledge', 'estimate', 'aggregate', 'link', 'unlink', 'requester-viewed',
    'amend'));

-- A correction is not casework: the retention schedule does not count from it.
CREATE OR REPLACE FUNCTION foiflow_is_casework(action text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate', 'requester-viewed', 'link', 'unlink', 'amend')
$$;

-- One ICO case per ICO reference. A database that already has two keeps them (and a plain
-- index); `foiflow migrate` says so.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM requests WHERE kind = 'ico' AND ico_ref IS NOT NULL GROUP BY upper(btrim(ico_ref)) HAVING count(*) > 1) THEN
        RAISE WARNING 'two or more ICO cases share an ico_ref; new duplicates are not refused until they are corrected';
        CREATE INDEX requests_ico_ref ON requests (upper(btrim(ico_ref))) WHERE kind = 'ico';
    ELSE
        CREATE UNIQUE INDEX requests_ico_ref ON requests (upper(btrim(ico_ref))) WHERE kind = 'ico';
    END IF;
END
$$;

-- As in 0025, with the telephone number anonymised too.
CREATE OR REPLACE FUNCTION foiflow_anonymise(roots bigint[], on_date date, by_login text, why text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    WITH locked AS (
        SELECT f.root_id, r.id, r.state, r.hold_since, r.hold_until, r.anonymised_on
        FROM requests r JOIN foiflow_family_members(roots) f ON f.id = r.id
        ORDER BY r.id
        FOR UPDATE OF r
    )
    SELECT coalesce(array_agg(l.id ORDER BY l.id), '{}') INTO ids
    FROM locked l
    WHERE l.anonymised_on IS NULL
      AND l.root_id NOT IN (
          SELECT k.root_id FROM locked k
          WHERE foiflow_is_open(k.state) OR (k.hold_since IS NOT NULL AND (k.hold_until IS NULL OR k.hold_until >= on_date)));
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM request_event_notes WHERE request_id = ANY (ids);
    DELETE FROM notifications WHERE request_id = ANY (ids);
    DELETE FROM idempotency_keys WHERE request_id = ANY (ids);
    UPDATE letters SET recipient = NULL, subject = '', body = '', task_note = NULL WHERE request_id = ANY (ids);
    RETURN QUERY
    WITH upd AS (
        UPDATE requests
        SET requester = 'anonymised', email = NULL, address = NULL, phone = NULL, subject = NULL, anonymised_on = on_date,
            version = version + 1, updated_at = now()
        WHERE id = ANY (ids) AND anonymised_on IS NULL
        RETURNING id, ref, version, state, due
    ),
    ev AS (
        INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
        SELECT id, version, by_login, 'anonymised', state, state, due, jsonb_build_array(jsonb_build_array('basis', why)), on_date
        FROM upd
        ORDER BY id
    )
    SELECT upd.ref FROM upd;
END
$$;

-- As in 0024, with the change log appended to only.
CREATE OR REPLACE FUNCTION foiflow_grant_app() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO foiflow_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO foiflow_app', current_schema());
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO foiflow_app', current_schema());
    -- History is appended to, never changed; so are the recorded digests over it, and the
    -- record of changes to users and configuration.
    REVOKE UPDATE, DELETE, TRUNCATE ON request_events, holiday_changes, audit_digests, change_log FROM foiflow_app;
    IF to_regclass('foiflow_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON foiflow_migrations FROM foiflow_app;
    END IF;
END
$$;

SELECT foiflow_grant_app();
