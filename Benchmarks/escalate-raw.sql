-- The nightly job's work as plain SQL, for scripts/bench escalate: the same thresholds
-- (psql variables from foiflow's own report), the same rows written, no recipients looked up;
-- then the monthly progress updates: a letter per request a month without contact (a queued
-- e-mail with its outbox row where there is an address, else a task), and the mark.
BEGIN;
CREATE TEMP TABLE todo ON COMMIT DROP AS
SELECT id, due,
       CASE WHEN due <= CASE calendar WHEN 'uk' THEN :'v_uk'::date ELSE :'v_ew'::date END THEN 'very-overdue'
            WHEN due < :'asof'::date THEN 'overdue'
            ELSE 'warning' END AS level
FROM requests
WHERE state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval')
  AND due <= CASE calendar WHEN 'uk' THEN :'w_uk'::date ELSE :'w_ew'::date END;
INSERT INTO escalations (request_id, level, due) SELECT id, level, due FROM todo;
UPDATE requests r SET version = r.version + 1, updated_at = now() FROM todo WHERE r.id = todo.id;
INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields)
SELECT r.id, r.version, 'system', 'escalate', r.state, r.state, r.due,
       jsonb_build_array(jsonb_build_array('level', todo.level), jsonb_build_array('due', r.due::text))
FROM todo JOIN requests r ON r.id = todo.id;
INSERT INTO notifications (request_id, level, recipient, email, subject, body)
SELECT r.id, todo.level, NULL, NULL, format('[foiflow] %s %s: due %s', r.ref, todo.level, r.due), format(E'Request %s is %s.\n', r.ref, todo.level)
FROM todo JOIN requests r ON r.id = todo.id;
CREATE TEMP TABLE updates ON COMMIT DROP AS
SELECT id, ref, requester, email, (coalesce(last_contact, received) + interval '1 month')::date AS update_due
FROM requests
WHERE state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval')
  AND (coalesce(last_contact, received) + interval '1 month')::date <= :'asof'::date
  AND (update_written_for IS NULL OR update_written_for < (coalesce(last_contact, received) + interval '1 month')::date);
UPDATE requests r SET update_written_for = u.update_due FROM updates u WHERE r.id = u.id;
WITH l AS (
    INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, task_note)
    SELECT id, 'progress-update', CASE WHEN email IS NULL THEN 'post' ELSE 'email' END,
           CASE WHEN email IS NULL THEN 'task' ELSE 'queued' END, email,
           format('Your request %s: an update', ref),
           format(E'Dear %s,\n\nAn update on your request %s: we are working on it. We expect to answer by the due date.\n\n'
                  || E'Disclosure Unit is leading on your request. You can reach them at foi@example.org.\n', requester, ref),
           CASE WHEN email IS NULL THEN 'send by post: no postal address' END
    FROM updates
    RETURNING id, request_id, status, recipient, subject, body
)
INSERT INTO notifications (request_id, level, recipient, email, subject, body, letter_id)
SELECT request_id, 'letter', NULL, recipient, subject, body, id FROM l WHERE status = 'queued';
COMMIT;
