-- Statistics as they stood on a date (issue 14): every event records the day it happened.

-- Today in the authority's time zone: the day of an event recorded without `on=`.
CREATE FUNCTION foiflow_today() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'Europe/London')::date $$;

-- The day an event happened: its `on=` (officers record yesterday's letter today), receipt for
-- `create`, else the day it was recorded. STATS as_of=D applies exactly the events on or before D.
ALTER TABLE request_events ADD COLUMN effective_on date;
-- Filling in the new column for the events already there is not a change to the history.
ALTER TABLE request_events DISABLE TRIGGER request_events_append_only;
UPDATE request_events e SET effective_on = coalesce(
    (SELECT (f ->> 1)::date FROM jsonb_array_elements(e.fields) f WHERE f ->> 0 = 'on' AND f ->> 1 ~ '^\d{4}-\d{2}-\d{2}$' LIMIT 1),
    CASE WHEN e.action = 'create' THEN (SELECT r.received FROM requests r WHERE r.id = e.request_id) END,
    (e.at AT TIME ZONE 'Europe/London')::date);
ALTER TABLE request_events ENABLE TRIGGER request_events_append_only;
ALTER TABLE request_events ALTER COLUMN effective_on SET DEFAULT foiflow_today();
ALTER TABLE request_events ALTER COLUMN effective_on SET NOT NULL;

-- A period's cohort (kind and date of receipt), and the requests something happened to after a
-- date (the backlog as it stood then).
CREATE INDEX requests_kind_received ON requests (kind, received);
CREATE INDEX request_events_effective_on ON request_events (effective_on, request_id);
