-- ACT's write alone, as if the server already held the row: the ceiling of a one-round-trip ACT.
\set k random(1, 50000)
\set id :k * 20
WITH cred AS (
SELECT false OR EXISTS (
SELECT 1 FROM users WHERE id = (SELECT id FROM users WHERE login = 'bench') AND token_hash = (SELECT token_hash FROM users WHERE login = 'bench')
AND disabled_at IS NULL) AS ok
),
cal AS (SELECT foiflow_calendar_is((SELECT version FROM calendar_state WHERE id = 1)) AS ok),
upd AS (
UPDATE requests
SET state = 'in_progress', version = version + 1, due = '2026-10-30', max_due = '2026-11-27',
clock = '{"start": "2026-10-03", "stops": [], "extensions": [], "feePeriods": [], "pausedDays": 0, "extensionDays": 0, "extensionMonths": 0}'::jsonb, assignee = 'bench', outcome = NULL,
exemptions = NULL, responded_on = NULL, appeal_by = NULL,
approved_version = NULL,
transferred_to = NULL, last_contact = NULL, updated_at = now()
WHERE id = :id AND version = (SELECT version FROM requests WHERE id = :id) AND (SELECT ok FROM cred) AND (SELECT ok FROM cal)
RETURNING id, version, state, due
),
ev AS (
INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
SELECT id, version, 'bench', 'assign', 'in_progress', state, due, '[["to", "bench"]]'::jsonb,
coalesce('2026-11-23'::date, foiflow_today())
FROM upd
),
letter AS (
INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, task_note)
SELECT id, NULL, NULL, NULL, NULL,
NULL, NULL, NULL
FROM upd WHERE 'f'
RETURNING id, request_id, status, recipient, subject, body
),
mail AS (
INSERT INTO notifications (request_id, level, recipient, email, subject, body, letter_id)
SELECT request_id, 'letter', 'Requester 40', recipient, subject, body, id FROM letter WHERE status = 'queued'
),
done AS (
UPDATE letters SET status = 'done', sent_at = now()
WHERE id = NULL::bigint AND request_id = (SELECT id FROM upd) AND status = 'task'
),
-- A response replaces the grounds of an earlier one (a reopened request answered
-- again); an extension's stay. Each statement below touches other rows.
grounds_dropped AS (
DELETE FROM request_grounds
WHERE 'f' AND request_id = (SELECT id FROM upd) AND NOT in_extension AND ground <> ALL('{}'::text[])
),
grounds_unmarked AS (
UPDATE request_grounds SET in_response = false
WHERE 'f' AND request_id = (SELECT id FROM upd) AND in_extension AND ground <> ALL('{}'::text[])
),
grounds AS (
INSERT INTO request_grounds (request_id, ground, cited, in_response, in_extension)
SELECT upd.id, g.ground, g.cited, 'f', 'f'
FROM upd, unnest('{}'::text[], '{}'::text[]) AS g(ground, cited)
ON CONFLICT (request_id, ground) DO UPDATE
SET cited = excluded.cited, in_response = request_grounds.in_response OR excluded.in_response,
in_extension = request_grounds.in_extension OR excluded.in_extension
),
parent AS (
UPDATE requests SET version = version + 1, updated_at = now()
WHERE 'f' AND ref = NULL::text AND EXISTS (SELECT 1 FROM upd)
RETURNING id, version, state, due
),
parent_event AS (
INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
SELECT id, version, 'bench', NULL, state, state, due, '[["ref", "EIR-2016-000040"]]'::jsonb,
coalesce('2026-11-23'::date, foiflow_today())
FROM parent
)
SELECT (SELECT ok FROM cred) AS credential_ok, (SELECT ok FROM cal) AS calendar_ok, (SELECT version FROM upd) AS version;
