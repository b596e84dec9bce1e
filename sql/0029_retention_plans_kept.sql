-- Issue 26, found by the A/B of CREATE, ACT and SHOW against the build before it: SHOW of a
-- closed request asks foiflow_retention for its family, and PostgreSQL 15 plans a SQL
-- function that it cannot inline afresh at every call (SHOW x16: 1,493 a second against
-- 8,172). In PL/pgSQL the plans are kept for the connection's life. The bodies are as before.

CREATE OR REPLACE FUNCTION foiflow_retention(asof date, roots bigint[])
RETURNS TABLE (root_id bigint, anonymise_on date, held text, anonymised_on date)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
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
        GROUP BY m.root_id;
END
$$;

CREATE OR REPLACE FUNCTION foiflow_family_root(request_id bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT coalesce(gp.id, p.id, r.id)
        FROM requests r
        LEFT JOIN requests p ON p.ref = r.parent_ref
        LEFT JOIN requests gp ON gp.ref = p.parent_ref
        WHERE r.id = request_id);
END
$$;
