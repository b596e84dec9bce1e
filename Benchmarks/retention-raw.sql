-- The retention run's writes as plain SQL (scripts/bench retention): every closed request whose
-- last casework plus its kind's period has come by :asof loses its personal data, with one
-- anonymised event each. The loaded requests have no reviews or ICO cases, so each is its own
-- family; the trigger on request_events (digest, notes) runs here as for foiflow.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE due ON COMMIT DROP AS
SELECT r.id
FROM requests r JOIN retention_rules k ON k.kind = r.kind
WHERE r.state IN ('responded', 'closed', 'withdrawn', 'lapsed', 'transferred', 'decided') AND r.anonymised_on IS NULL
  AND r.hold_since IS NULL AND (r.appeal_by IS NULL OR r.appeal_by < :'asof')
  AND (SELECT max(e.effective_on) FROM request_events e WHERE e.request_id = r.id) + make_interval(years => k.years, months => k.months)
      <= :'asof'::date;
DELETE FROM request_event_notes WHERE request_id IN (SELECT id FROM due);
DELETE FROM notifications WHERE request_id IN (SELECT id FROM due);
DELETE FROM idempotency_keys WHERE request_id IN (SELECT id FROM due);
UPDATE letters SET recipient = NULL, subject = '', body = '', task_note = NULL WHERE request_id IN (SELECT id FROM due);
WITH upd AS (
    UPDATE requests SET requester = 'anonymised', email = NULL, address = NULL, subject = NULL, anonymised_on = :'asof',
                        version = version + 1, updated_at = now()
    WHERE id IN (SELECT id FROM due)
    RETURNING id, version, state, due
)
INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
SELECT id, version, 'system', 'anonymised', state, state, due, '[["basis", "schedule"]]', :'asof' FROM upd ORDER BY id;
COMMIT;
