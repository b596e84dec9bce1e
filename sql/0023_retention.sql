-- Issue 26: forgetting on schedule. Retention rules per kind (defaults an authority replaces
-- with its own schedule), legal holds, and anonymisation: the personal data of a request and
-- of everything linked to it removed together, once every one of them is closed, its dates
-- have come, and nothing holds it.

-- How long a closed request's personal data is kept, counted from its last event. A kind with
-- no years (a review) is kept as long as the request it is about.
CREATE TABLE retention_rules (
    kind       text PRIMARY KEY REFERENCES request_kinds (kind),
    years      integer CHECK (years BETWEEN 0 AND 100),
    months     integer NOT NULL DEFAULT 0 CHECK (months BETWEEN 0 AND 11),
    updated_by text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Defaults (CASEWORK-RULES 5.2, unconfirmed: replace with the force's schedule).
INSERT INTO retention_rules (kind, years) VALUES
    ('foi', 3), ('eir', 3), ('review', NULL), ('ico', 6), ('sar', 2), ('complaint', 6);

-- Every change to the schedule, by whom.
CREATE TABLE retention_rule_changes (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text NOT NULL,
    kind   text NOT NULL,
    years  integer,
    months integer NOT NULL
);

-- A legal hold standing (ACT hold / release), and when the personal data was removed.
ALTER TABLE requests ADD COLUMN hold_since date;
ALTER TABLE requests ADD COLUMN hold_until date;
ALTER TABLE requests ADD COLUMN anonymised_on date;
ALTER TABLE requests ADD CONSTRAINT requests_hold_check CHECK (hold_until IS NULL OR hold_since IS NOT NULL);

ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome',
    'hold', 'release', 'anonymised'));

-- `basis` (schedule or erasure) says why an anonymised event was written.
CREATE OR REPLACE FUNCTION foiflow_public_event_fields() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        'received', 'contact', 'team', 'parent', 'calendar', 'to', 'on', 'amount', 'days', 'months', 'exemptions',
        'outcome', 'ico_ref', 'due', 'step', 'steps_due', 'method', 'letter', 'ref', 'level', 'appeal_by', 'by',
        'dn_ref', 'previous_due', 'legacy_ref', 'until', 'basis'
    ]::text[]
$$;

-- Whether a request in `state` is open (RequestState.isOpen; SchemaTests checks they agree).
CREATE FUNCTION foiflow_is_open(state text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval',
                     'with_ico', 'steps_due', 'at_tribunal')
$$;

-- Each request with the request its family is scheduled by: itself, the request a review or an
-- ICO case is about, or the request behind the review an ICO case is about.
CREATE VIEW request_families AS
SELECT r.id, coalesce(gp.id, p.id, r.id) AS root_id
FROM requests r
LEFT JOIN requests p ON p.ref = r.parent_ref
LEFT JOIN requests gp ON gp.ref = p.parent_ref;

-- Per family (by its root): the date its personal data is to be removed, or why not. A family
-- is scheduled together: on the latest of its members' last casework (a hold, a release, the
-- nightly job's escalations and recalculations do not count) plus their kind's period (a
-- review: its root's); not while any member is open, inside an appeal window, or under a legal
-- hold on `asof`; never twice. With `only_root`, that one family, found through the indexes
-- (SHOW asks for one); without, every family (the nightly run, `retention due`).
CREATE FUNCTION foiflow_retention(asof date, only_root bigint)
RETURNS TABLE (root_id bigint, anonymise_on date, held text, anonymised_on date)
LANGUAGE sql STABLE AS $$
    WITH families AS (
        SELECT f.id, f.root_id FROM request_families f WHERE only_root IS NULL
        UNION ALL
        -- One family by its root, through the indexes (SHOW asks for one).
        SELECT x.id, only_root FROM (
            SELECT r.id FROM requests r WHERE r.id = only_root
            UNION ALL
            SELECT c.id FROM requests root JOIN requests c ON c.parent_ref = root.ref WHERE root.id = only_root
            UNION ALL
            SELECT g.id FROM requests root JOIN requests c ON c.parent_ref = root.ref JOIN requests g ON g.parent_ref = c.ref
            WHERE root.id = only_root
        ) x
        WHERE only_root IS NOT NULL
    ),
    members AS (
        SELECT f.root_id, r.id, r.ref, r.kind, r.state, r.appeal_by, r.hold_since, r.hold_until, r.anonymised_on,
               -- Every family: one grouped pass over the events; one family: through the index.
               CASE WHEN only_root IS NULL THEN every.last_on ELSE (
                   SELECT max(e.effective_on) FROM request_events e
                   WHERE e.request_id = r.id AND e.action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate')) END AS last_on,
               coalesce(rule.years, root_rule.years) AS years, coalesce(CASE WHEN rule.years IS NULL THEN root_rule.months END, rule.months) AS months
        FROM families f
        JOIN requests r ON r.id = f.id
        JOIN requests root ON root.id = f.root_id
        LEFT JOIN retention_rules rule ON rule.kind = r.kind
        LEFT JOIN retention_rules root_rule ON root_rule.kind = root.kind
        LEFT JOIN (
            SELECT e.request_id, max(e.effective_on) AS last_on FROM request_events e
            WHERE only_root IS NULL AND e.action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate')
            GROUP BY e.request_id
        ) every ON every.request_id = r.id
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

CREATE FUNCTION foiflow_retention(asof date)
RETURNS TABLE (root_id bigint, anonymise_on date, held text, anonymised_on date)
LANGUAGE sql STABLE AS $$
    SELECT * FROM foiflow_retention(asof, NULL)
$$;

-- The request a request's family is scheduled by (itself, or what it is about, up to two steps).
CREATE FUNCTION foiflow_family_root(request_id bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(gp.id, p.id, r.id)
    FROM requests r
    LEFT JOIN requests p ON p.ref = r.parent_ref
    LEFT JOIN requests gp ON gp.ref = p.parent_ref
    WHERE r.id = request_id
$$;

-- Removes the personal data of every request in the families of `roots` not yet anonymised:
-- the requester's details and subject, every event's notes, letters' text and recipients, the
-- outbox, idempotency keys; writes each one `anonymised` event. What stays: references, kinds,
-- dates, states, actions and the staff who took them, outcomes, grounds, links. A family with
-- a member open or under a legal hold once its rows are locked is left alone (a hold placed
-- while the run decided). Returns the references anonymised.
CREATE FUNCTION foiflow_anonymise(roots bigint[], on_date date, by_login text, why text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    -- In id order, so two runs at once lock in the same order; the second then finds them done.
    PERFORM 1 FROM requests r JOIN request_families f ON f.id = r.id WHERE f.root_id = ANY (roots) ORDER BY r.id FOR UPDATE OF r;
    SELECT coalesce(array_agg(r.id ORDER BY r.id), '{}') INTO ids
    FROM request_families f JOIN requests r ON r.id = f.id
    WHERE f.root_id = ANY (roots) AND r.anonymised_on IS NULL
      AND NOT EXISTS (
          SELECT 1 FROM request_families g JOIN requests m ON m.id = g.id
          WHERE g.root_id = f.root_id
            AND (foiflow_is_open(m.state)
                 OR (m.hold_since IS NOT NULL AND (m.hold_until IS NULL OR m.hold_until >= on_date))));
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
        SET requester = 'anonymised', email = NULL, address = NULL, subject = NULL, anonymised_on = on_date,
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

SELECT foiflow_grant_app();
