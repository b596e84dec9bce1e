-- ACT (assign) as foiflow sends it with no row held: the read, then the guarded write, each its
-- own transaction, on a random open request (every 20th row); pgbench runs them, so no server is
-- in between. (Captured from the server's statements; the values it bound, the row by :id.)
\set k random(1, 50000)
\set id :k * 20
SELECT r.id, r.kind, r.state, r.version, r.received, r.calendar, r.due, r.max_due, r.clock::text AS clock, r.assignee, r.outcome, r.exemptions, r.responded_on, r.transferred_to, r.last_contact, r.parent_ref, r.appeal_by, r.approved_version, r.proposed_outcome, r.proposed_exemptions, r.requester, r.email, r.address, r.contact, r.team, r.subject,
       u.name AS lead_name, u.email AS lead_email, u.phone AS lead_phone,
(SELECT value FROM policy WHERE key = 'require-approval') AS require_approval
FROM requests r LEFT JOIN users u ON u.login = r.assignee
WHERE r.id = :id AND (NULL::text IS NULL OR r.team IS NULL OR r.team = NULL::text);
WITH cred AS (
    SELECT '1'::bigint IS NULL OR EXISTS (
        SELECT 1 FROM users WHERE id = (SELECT id FROM users WHERE login = 'bench')::bigint AND token_hash = (SELECT token_hash FROM users WHERE login = 'bench')
          AND disabled_at IS NULL) AS ok
),
cal AS (SELECT foiflow_calendar_is((SELECT version FROM calendar_state WHERE id = 1)) AS ok),
upd AS (
    UPDATE requests
    SET state = 'in_progress', version = version + 1, due = '2026-11-20', max_due = '2026-12-21',
        clock = '{"start": "2026-10-23", "stops": [], "extensions": [], "feePeriods": [], "pausedDays": 0, "extensionDays": 0, "extensionMonths": 0}'::jsonb, assignee = 'bench', outcome = NULL,
        exemptions = NULL, responded_on = NULL, appeal_by = NULL,
        approved_version = NULL, proposed_outcome = NULL, proposed_exemptions = NULL,
        transferred_to = NULL, last_contact = greatest(last_contact, NULL::date),
        updated_at = now()
    WHERE id = :id AND version = (SELECT version FROM requests WHERE id = :id) AND (SELECT ok FROM cred) AND (SELECT ok FROM cal)
      
    RETURNING id, version, state, due
),
ev AS (
    INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
    SELECT id, version, 'bench', 'assign', 'in_progress', state, due, '[["to", "bench"]]'::jsonb,
           coalesce('2026-11-23'::date, foiflow_today())
    FROM upd
)
SELECT (SELECT ok FROM cred) AS credential_ok, (SELECT ok FROM cal) AS calendar_ok, (SELECT version FROM upd) AS version,
       u.name AS lead_name, u.email AS lead_email, u.phone AS lead_phone,
       (SELECT value FROM policy WHERE key = 'require-approval') AS require_approval
FROM (SELECT 1) AS one LEFT JOIN users u ON u.login = 'bench'::text;
