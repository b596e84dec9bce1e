-- The escalation's work as plain SQL, for scripts/bench escalate: the same thresholds
-- (psql variables from foiflow's own report), the same rows written, no recipients looked up.
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
COMMIT;
