-- Issue 26: SHOW says when a closed request will be anonymised, or why it is kept. The
-- schedule's computation takes one family by its root as well as all of them, so SHOW asks
-- through the indexes; the two-argument form is the one definition, the one-argument form
-- (every family) calls it.
DROP FUNCTION foiflow_retention(date);

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
               (SELECT max(e.effective_on) FROM request_events e
                WHERE e.request_id = r.id AND e.action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate')) AS last_on,
               coalesce(rule.years, root_rule.years) AS years, coalesce(CASE WHEN rule.years IS NULL THEN root_rule.months END, rule.months) AS months
        FROM families f
        JOIN requests r ON r.id = f.id
        JOIN requests root ON root.id = f.root_id
        LEFT JOIN retention_rules rule ON rule.kind = r.kind
        LEFT JOIN retention_rules root_rule ON root_rule.kind = root.kind
    )
    SELECT m.root_id,
           CASE WHEN bool_or(m.state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress',
                                         'awaiting_approval', 'with_ico', 'steps_due', 'at_tribunal'))
                  OR bool_or(m.years IS NULL) THEN NULL
                ELSE max(m.last_on + make_interval(years => m.years, months => m.months))::date END,
           coalesce(
               string_agg('open: ' || m.ref, '; ' ORDER BY m.ref) FILTER (WHERE m.state IN ('received', 'awaiting_clarification',
                   'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval', 'with_ico', 'steps_due', 'at_tribunal')),
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
