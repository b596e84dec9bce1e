-- Issue 26: the history holds no personal data, and anyone can verify it.
--
-- An event keeps what happened: who of the staff, which action, the states, the dates and the
-- fields that are not personal. The values of every other field (the requester's name and
-- contact details, the subject, and every free-text field: note, reason, steps, ...) go to
-- request_event_notes, the erasable home of an event's personal data, keyed by the event;
-- the event keeps the field's name with a null value where it stood. A field is personal
-- unless it is named in foiflow_public_event_fields(): a new field is personal until
-- someone decides otherwise here.
--
-- Each event also carries a digest chaining it to the one before it on its request, over its
-- own content (which holds no personal data), so erasing personal data never breaks a chain
-- and a changed, removed or reordered event is found by `foiflow audit verify`.

-- The fields an event keeps: dates, numbers, codes, references and staff logins.
CREATE FUNCTION foiflow_public_event_fields() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        'received', 'contact', 'team', 'parent', 'calendar', 'to', 'on', 'amount', 'days', 'months', 'exemptions',
        'outcome', 'ico_ref', 'due', 'step', 'steps_due', 'method', 'letter', 'ref', 'level', 'appeal_by', 'by',
        'dn_ref', 'previous_due', 'legacy_ref', 'until'
    ]::text[]
$$;

CREATE TABLE request_event_notes (
    request_id bigint  NOT NULL REFERENCES requests (id),
    seq        integer NOT NULL,
    -- The personal values of the event's fields, by their position in the event's fields
    -- (from 0): {"1": "text of the note"}.
    fields     jsonb   NOT NULL,
    PRIMARY KEY (request_id, seq)
);

-- An event's fields with its personal values put back where they stood; a value erased (no
-- note) leaves its field out.
CREATE FUNCTION foiflow_event_fields(fields jsonb, notes jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_agg(
               CASE WHEN p.pair -> 1 = 'null'::jsonb THEN jsonb_build_array(p.pair -> 0, notes -> ((p.idx - 1)::text)) ELSE p.pair END
               ORDER BY p.idx)
             FILTER (WHERE p.pair -> 1 <> 'null'::jsonb OR notes -> ((p.idx - 1)::text) IS NOT NULL), '[]'::jsonb)
    FROM jsonb_array_elements(fields) WITH ORDINALITY AS p(pair, idx)
$$;

-- The text an event's digest is computed over: its own columns, written the same way whatever
-- the session's DateStyle or TimeZone.
CREATE FUNCTION foiflow_event_content(
    seq integer, at timestamptz, actor text, action text, from_state text, to_state text, due date, fields jsonb, effective_on date
) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT convert_to(concat_ws(E'\x1f',
        seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor, action, coalesce(from_state, ''),
        to_state, coalesce(to_char(due, 'YYYY-MM-DD'), ''), fields::text, coalesce(to_char(effective_on, 'YYYY-MM-DD'), '')), 'UTF8')
$$;

ALTER TABLE request_events ADD COLUMN digest bytea;

-- Existing events: personal values out to their notes, then every chain computed in order.
ALTER TABLE request_events DISABLE TRIGGER request_events_append_only;

INSERT INTO request_event_notes (request_id, seq, fields)
SELECT e.request_id, e.seq, jsonb_object_agg((p.idx - 1)::text, p.pair -> 1)
FROM request_events e, jsonb_array_elements(e.fields) WITH ORDINALITY AS p(pair, idx)
WHERE NOT (p.pair ->> 0 = ANY (foiflow_public_event_fields()))
GROUP BY e.request_id, e.seq;

UPDATE request_events e
SET fields = (
    SELECT jsonb_agg(
               CASE WHEN p.pair ->> 0 = ANY (foiflow_public_event_fields()) THEN p.pair ELSE jsonb_build_array(p.pair -> 0, NULL) END
               ORDER BY p.idx)
    FROM jsonb_array_elements(e.fields) WITH ORDINALITY AS p(pair, idx))
WHERE (e.request_id, e.seq) IN (SELECT request_id, seq FROM request_event_notes);

DO $$
DECLARE
    r record;
    previous bytea := '';
    current_request bigint := NULL;
BEGIN
    FOR r IN SELECT * FROM request_events ORDER BY request_id, seq LOOP
        IF current_request IS DISTINCT FROM r.request_id THEN
            previous := '';
            current_request := r.request_id;
        END IF;
        previous := sha256(previous || foiflow_event_content(
            r.seq, r.at, r.actor, r.action, r.from_state, r.to_state, r.due, r.fields, r.effective_on));
        UPDATE request_events SET digest = previous WHERE request_id = r.request_id AND seq = r.seq;
    END LOOP;
END
$$;

ALTER TABLE request_events ENABLE TRIGGER request_events_append_only;
ALTER TABLE request_events ALTER COLUMN digest SET NOT NULL;

-- Every event written from now on, by any statement (CREATE, ACT, the nightly job, an import's
-- COPY): its personal values to its notes, and its digest on the chain.
CREATE FUNCTION foiflow_event_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    personal jsonb;
    previous bytea;
BEGIN
    SELECT jsonb_object_agg((p.idx - 1)::text, p.pair -> 1) INTO personal
    FROM jsonb_array_elements(NEW.fields) WITH ORDINALITY AS p(pair, idx)
    WHERE NOT (p.pair ->> 0 = ANY (foiflow_public_event_fields()));
    IF personal IS NOT NULL THEN
        INSERT INTO request_event_notes (request_id, seq, fields) VALUES (NEW.request_id, NEW.seq, personal);
        NEW.fields := (
            SELECT jsonb_agg(
                       CASE WHEN p.pair ->> 0 = ANY (foiflow_public_event_fields()) THEN p.pair ELSE jsonb_build_array(p.pair -> 0, NULL) END
                       ORDER BY p.idx)
            FROM jsonb_array_elements(NEW.fields) WITH ORDINALITY AS p(pair, idx));
    END IF;
    SELECT digest INTO previous FROM request_events WHERE request_id = NEW.request_id AND seq = NEW.seq - 1;
    IF previous IS NULL AND NEW.seq > 1 THEN
        -- A statement writing several events of one request writes them in order.
        RAISE EXCEPTION 'event % of request % written before event %', NEW.seq, NEW.request_id, NEW.seq - 1;
    END IF;
    NEW.digest := sha256(coalesce(previous, ''::bytea) || foiflow_event_content(
        NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.from_state, NEW.to_state, NEW.due, NEW.fields, NEW.effective_on));
    RETURN NEW;
END
$$;

CREATE TRIGGER request_events_written
    BEFORE INSERT ON request_events
    FOR EACH ROW EXECUTE FUNCTION foiflow_event_written();
