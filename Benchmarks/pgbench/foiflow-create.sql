-- CREATE as foiflow sends it: its one statement (request, event, acknowledgement letter), values as the
-- server bound them for a CREATE by the benchmark user; pgbench runs it, so no server is in between.
WITH cred AS (
    SELECT false OR EXISTS (
SELECT 1 FROM users WHERE id = (SELECT id FROM users WHERE login = 'bench') AND token_hash = (SELECT token_hash FROM users WHERE login = 'bench')
          AND disabled_at IS NULL) AS ok
),
cal AS (SELECT foiflow_calendar_is((SELECT version FROM calendar_state WHERE id = 1)) AS ok),
prior AS (
    SELECT k.content_hash, r.ref, e.due
    FROM idempotency_keys k JOIN requests r ON r.id = k.request_id
    JOIN request_events e ON e.request_id = r.id AND e.seq = 1
    WHERE NULL::text IS NOT NULL AND k.login = 'bench' AND k.key = NULL::text
),
counter AS (
    SELECT foiflow_next_reference('foi', '2026') AS last
    WHERE (SELECT ok FROM cred) AND (SELECT ok FROM cal) AND NOT EXISTS (SELECT 1 FROM prior)
),
req AS (
    INSERT INTO requests (ref, kind, state, version, received, calendar, due, max_due, clock, team,
                          requester, email, address, contact, subject, parent_ref, ico_ref, requested_late, created_by)
    SELECT foiflow_reference('FOI', '2026', last), 'foi',
           'received', '1', '2026-11-20', 'uk',
           '2026-12-21', '2027-01-22', '{"start": "2026-11-20", "stops": [], "extensions": [], "feePeriods": [], "pausedDays": 0, "extensionDays": 0, "extensionMonths": 0}'::jsonb, NULL, 'Bench Requester',
           NULL, NULL, NULL, 'Benchmark',
           NULL, NULL, 'f', 'bench'
    FROM counter
    RETURNING id, ref
),
ev AS (
    INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
    SELECT id, '1', 'bench', 'create', NULL, 'received',
           '2026-12-21', '[["received", "2026-11-20"], ["requester", null], ["subject", null]]'::jsonb, '2026-11-20'
    FROM req
),
notes AS (
    INSERT INTO request_event_notes (request_id, seq, fields)
    SELECT id, '1', '{"1": "Bench Requester", "2": "Benchmark"}'::jsonb FROM req
),
letter AS (
    INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, task_note)
    SELECT id, 'acknowledgement', 'post', 'task', NULL,
           replace('Your request [[ref-1DBD7F0D-0681-48A1-86C2-DC24BA1C40F3]]: received, answer due by 2026-12-21'::text, '[[ref-1DBD7F0D-0681-48A1-86C2-DC24BA1C40F3]]'::text, ref), replace('Dear Bench Requester,

We received your request on 2026-11-20 and have given it the reference [[ref-1DBD7F0D-0681-48A1-86C2-DC24BA1C40F3]].
Please quote it whenever you contact us about this request.

What happens next: we will search for the information you asked for and send you what we can disclose
We will answer by 2026-12-21 at the latest.

 is leading on your request. You can reach them at .
'::text, '[[ref-1DBD7F0D-0681-48A1-86C2-DC24BA1C40F3]]'::text, ref),
           'missing: lead_name, lead_contact; send by post: no postal address'
    FROM req WHERE 't'
    RETURNING id, request_id, status, recipient, subject, body
),
mail AS (
    INSERT INTO notifications (request_id, level, recipient, email, subject, body, letter_id)
    SELECT request_id, 'letter', 'Bench Requester', recipient, subject, body, id FROM letter WHERE status = 'queued'
),
idem AS (
    INSERT INTO idempotency_keys (login, key, content_hash, request_id)
    SELECT 'bench', NULL::text, '62149bd3bfe2263995ad4f9cd0997d0c6fd3903b63ef17fd721ccfe1b6f6b439', id FROM req WHERE NULL::text IS NOT NULL
)
SELECT (SELECT ok FROM cred) AS credential_ok, (SELECT ok FROM cal) AS calendar_ok, (SELECT ref FROM req) AS ref,
       (SELECT content_hash FROM prior) AS prior_hash, (SELECT ref FROM prior) AS prior_ref,
       (SELECT due FROM prior) AS prior_due;
