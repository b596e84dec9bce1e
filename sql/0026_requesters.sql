-- Issue 27: who asked what before. Requests by the same person are one requester: matched on
-- the e-mail without regard to case, else on the name and postal address together. The
-- requester is personal data: the match keys (which are the e-mail, or the name and address)
-- live here, beside the requests that hold the same data, and go with the person's last
-- request (anonymised or erased). A request anonymised belongs to no requester.

CREATE TABLE requesters (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- What a new request is matched on; several keys can lead to one requester (after a merge).
CREATE TABLE requester_keys (
    key          text PRIMARY KEY,
    requester_id bigint NOT NULL REFERENCES requesters (id) ON DELETE CASCADE
);
CREATE INDEX requester_keys_requester ON requester_keys (requester_id);

ALTER TABLE requests ADD COLUMN requester_id bigint REFERENCES requesters (id);
CREATE INDEX requests_requester ON requests (requester_id, received) WHERE requester_id IS NOT NULL;

-- The key a request is matched on: `e:` and the e-mail in lower case; else `n:` and the name
-- and address (lower case, spaces run together); else none (nothing to match on: a request by
-- telephone, an ICO case, an anonymised one).
CREATE FUNCTION foiflow_requester_key(requester text, email text, address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN nullif(btrim(email), '') IS NOT NULL THEN 'e:' || lower(btrim(email))
        WHEN nullif(btrim(address), '') IS NOT NULL AND nullif(btrim(requester), '') IS NOT NULL
             AND requester <> 'anonymised'
            THEN 'n:' || lower(regexp_replace(btrim(requester), '\s+', ' ', 'g')) || E'\n'
                      || lower(regexp_replace(btrim(address), '\s+', ' ', 'g'))
    END
$$;

-- The requester of `key`, made if there is none yet (two at once with the same key: one makes
-- it, the other finds it).
CREATE FUNCTION foiflow_requester_for(match_key text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    found_id bigint;
BEGIN
    IF match_key IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT requester_id INTO found_id FROM requester_keys WHERE key = match_key;
    IF found_id IS NOT NULL THEN
        RETURN found_id;
    END IF;
    INSERT INTO requesters DEFAULT VALUES RETURNING id INTO found_id;
    INSERT INTO requester_keys (key, requester_id) VALUES (match_key, found_id) ON CONFLICT (key) DO NOTHING;
    IF NOT FOUND THEN
        DELETE FROM requesters WHERE id = found_id;
        SELECT requester_id INTO found_id FROM requester_keys WHERE key = match_key;
    END IF;
    RETURN found_id;
END
$$;

-- Every request written or corrected is matched (CREATE, import, a correction of the name,
-- e-mail or address); an anonymised one is matched to nobody.
CREATE FUNCTION foiflow_request_matched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.anonymised_on IS NOT NULL THEN
        NEW.requester_id := NULL;
    ELSIF TG_OP = 'INSERT'
          OR foiflow_requester_key(NEW.requester, NEW.email, NEW.address)
             IS DISTINCT FROM foiflow_requester_key(OLD.requester, OLD.email, OLD.address) THEN
        NEW.requester_id := foiflow_requester_for(foiflow_requester_key(NEW.requester, NEW.email, NEW.address));
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER requests_matched
    BEFORE INSERT OR UPDATE OF requester, email, address, anonymised_on ON requests
    FOR EACH ROW EXECUTE FUNCTION foiflow_request_matched();

-- A requester no request belongs to any longer goes, with its keys (after the statement's rows
-- are written, so a statement moving several of its requests leaves it only once all have gone).
CREATE FUNCTION foiflow_requester_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM requesters q
    WHERE q.id = OLD.requester_id AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.requester_id = OLD.requester_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER requests_requester_left
    AFTER UPDATE ON requests
    FOR EACH ROW WHEN (OLD.requester_id IS NOT NULL AND OLD.requester_id IS DISTINCT FROM NEW.requester_id)
    EXECUTE FUNCTION foiflow_requester_left();

-- The requests there are, matched once: a requester per key, made in the order of its first
-- request.
CREATE TEMP TABLE first_keys AS
SELECT k.key, row_number() OVER (ORDER BY k.first_id) AS n
FROM (
    SELECT foiflow_requester_key(requester, email, address) AS key, min(id) AS first_id
    FROM requests WHERE anonymised_on IS NULL AND foiflow_requester_key(requester, email, address) IS NOT NULL
    GROUP BY 1
) k;
INSERT INTO requesters (id) OVERRIDING SYSTEM VALUE SELECT n FROM first_keys;
INSERT INTO requester_keys (key, requester_id) SELECT key, n FROM first_keys;
SELECT setval(pg_get_serial_sequence('requesters', 'id'), coalesce((SELECT max(n) FROM first_keys), 0) + 1, false);
UPDATE requests r SET requester_id = k.n
FROM first_keys k
WHERE r.anonymised_on IS NULL AND k.key = foiflow_requester_key(r.requester, r.email, r.address);
DROP TABLE first_keys;

-- A look at a requester's other requests (REQUESTER, `foiflow requester`) is an event on the
-- request looked from: who looked, and why (the reason kept with the notes).
ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome',
    'hold', 'release', 'anonymised', 'requester-viewed'));
-- Counted for /metrics at every refresh, so found through an index of its own.
CREATE INDEX request_events_requester_viewed ON request_events (at) WHERE action = 'requester-viewed';

-- Whether an action is casework, which the retention schedule counts from (Action.isCasework;
-- SchemaTests checks they agree): a look at the requester's other requests is not.
CREATE FUNCTION foiflow_is_casework(action text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate', 'requester-viewed')
$$;

-- As in 0025, counting casework by foiflow_is_casework.
-- The roots whose families can be due by `by` (see above): a necessary condition only.
CREATE OR REPLACE FUNCTION foiflow_retention_roots(by date) RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    SELECT r.id
    FROM requests r JOIN retention_rules k ON k.kind = r.kind
    LEFT JOIN (
        SELECT e.request_id, max(e.effective_on) AS last_on FROM request_events e
        WHERE foiflow_is_casework(e.action)
        GROUP BY e.request_id
    ) ev ON ev.request_id = r.id
    WHERE r.parent_ref IS NULL AND r.anonymised_on IS NULL AND NOT foiflow_is_open(r.state) AND k.years IS NOT NULL
      AND (ev.last_on IS NULL OR ev.last_on + make_interval(years => k.years, months => k.months) <= by)
$$;

-- As in 0025, counting casework by foiflow_is_casework.
CREATE OR REPLACE FUNCTION foiflow_retention(asof date, roots bigint[])
RETURNS TABLE (root_id bigint, anonymise_on date, held text, anonymised_on date)
LANGUAGE sql STABLE AS $$
    WITH members AS (
        SELECT f.root_id, r.id, r.ref, r.kind, r.state, r.appeal_by, r.hold_since, r.hold_until, r.anonymised_on,
               (SELECT max(e.effective_on) FROM request_events e
                WHERE e.request_id = r.id AND foiflow_is_casework(e.action)) AS last_on,
               coalesce(rule.years, root_rule.years) AS years, coalesce(CASE WHEN rule.years IS NULL THEN root_rule.months END, rule.months) AS months
        FROM foiflow_family_members(roots) f
        JOIN requests r ON r.id = f.id
        JOIN requests root ON root.id = f.root_id
        LEFT JOIN retention_rules rule ON rule.kind = r.kind
        LEFT JOIN retention_rules root_rule ON root_rule.kind = root.kind
    )
    SELECT m.root_id,
           CASE WHEN bool_or(foiflow_is_open(m.state))
                  OR bool_or(m.years IS NULL) THEN NULL
                ELSE max(m.last_on + make_interval(years => m.years, months => m.months))::date END,
           coalesce(
               string_agg('open: ' || m.ref, '; ' ORDER BY m.ref) FILTER (WHERE foiflow_is_open(m.state)),
               string_agg('legal hold on ' || m.ref || coalesce(' until ' || to_char(m.hold_until, 'YYYY-MM-DD'), ''), '; ' ORDER BY m.ref)
                   FILTER (WHERE m.hold_since IS NOT NULL AND (m.hold_until IS NULL OR m.hold_until >= asof)),
               string_agg('appeal window of ' || m.ref || ' until ' || to_char(m.appeal_by, 'YYYY-MM-DD'), '; ' ORDER BY m.ref)
                   FILTER (WHERE m.appeal_by >= asof),
               CASE WHEN bool_or(m.years IS NULL) THEN 'no retention period for ' || min(m.kind) END),
           min(m.anonymised_on)
    FROM members m
    GROUP BY m.root_id
$$;


SELECT foiflow_grant_app();
