-- Issue 26: the nightly retention run decides only the families that can be due, not every
-- family (scripts/bench retention: deciding all 1,000,000 families took longer than the writes).
--
-- A family's date is the latest of its members' (last casework plus period), and a family with
-- an open member has none, so a family can be due by a day only if its root, on its own, is
-- closed, not yet anonymised, has a period, and is due by that day. foiflow_retention_roots
-- finds those roots in one pass; foiflow_retention then decides their families in full (holds,
-- appeal windows, every member), so the prefilter can never make a family due that is not.

-- The families of `roots` (each the root of its family, as foiflow_family_root gives), member
-- by member, through the parent_ref index: the root, what is about it, and what is about that.
CREATE FUNCTION foiflow_family_members(roots bigint[]) RETURNS TABLE (root_id bigint, id bigint)
LANGUAGE sql STABLE AS $$
    SELECT root.id, root.id FROM requests root WHERE root.id = ANY (roots)
    UNION ALL
    SELECT root.id, c.id FROM requests root JOIN requests c ON c.parent_ref = root.ref WHERE root.id = ANY (roots)
    UNION ALL
    SELECT root.id, g.id
    FROM requests root JOIN requests c ON c.parent_ref = root.ref JOIN requests g ON g.parent_ref = c.ref
    WHERE root.id = ANY (roots)
$$;

-- The roots whose families can be due by `by` (see above): a necessary condition only.
CREATE FUNCTION foiflow_retention_roots(by date) RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    SELECT r.id
    FROM requests r JOIN retention_rules k ON k.kind = r.kind
    LEFT JOIN (
        SELECT e.request_id, max(e.effective_on) AS last_on FROM request_events e
        WHERE e.action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate')
        GROUP BY e.request_id
    ) ev ON ev.request_id = r.id
    WHERE r.parent_ref IS NULL AND r.anonymised_on IS NULL AND NOT foiflow_is_open(r.state) AND k.years IS NOT NULL
      AND (ev.last_on IS NULL OR ev.last_on + make_interval(years => k.years, months => k.months) <= by)
$$;

DROP FUNCTION foiflow_retention(date);
DROP FUNCTION foiflow_retention(date, bigint);

-- Per family of `roots` (each a family's root): the date its personal data is to be removed,
-- or why not. A family is scheduled together: on the latest of its members' last casework (a
-- hold, a release, the nightly job's escalations and recalculations do not count) plus their
-- kind's period (a review: its root's); not while any member is open, inside an appeal window,
-- or under a legal hold on `asof`; never twice. Families are found through the indexes: SHOW
-- asks for one, erasure for a person's, the nightly run and `retention due` for the roots
-- foiflow_retention_roots finds.
CREATE FUNCTION foiflow_retention(asof date, roots bigint[])
RETURNS TABLE (root_id bigint, anonymise_on date, held text, anonymised_on date)
LANGUAGE sql STABLE AS $$
    WITH members AS (
        SELECT f.root_id, r.id, r.ref, r.kind, r.state, r.appeal_by, r.hold_since, r.hold_until, r.anonymised_on,
               (SELECT max(e.effective_on) FROM request_events e
                WHERE e.request_id = r.id AND e.action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate')) AS last_on,
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

-- As in 0023, with each family's members found through the indexes (not the whole view).
CREATE OR REPLACE FUNCTION foiflow_anonymise(roots bigint[], on_date date, by_login text, why text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    -- Locked in id order, so two runs at once lock in the same order (the second then finds
    -- them done), and decided on the rows as locked: a family with a member open or under a
    -- legal hold now is left alone (one placed while the run decided).
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
