-- Issue 27: search. One document per request: its reference and subject (weighted most), and
-- the free text of its actions (notes, reasons, public interest arguments, steps). The
-- document is derived from personal data, so it lives beside it and goes with it: when a
-- request is anonymised its document is its reference alone (found by reference only).

-- The action fields whose values are free text worth finding (their values are personal data,
-- kept in request_event_notes).
CREATE FUNCTION foiflow_search_text_fields() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['note', 'reason', 'public_interest', 'steps']::text[]
$$;

CREATE TABLE request_search (
    request_id bigint PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    doc        tsvector NOT NULL
);
CREATE INDEX request_search_doc ON request_search USING gin (doc);

-- The weighted head of a request's document: its reference and its subject.
CREATE FUNCTION foiflow_search_head(ref text, subject text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('simple', ref), 'A') || setweight(to_tsvector('english', coalesce(subject, '')), 'A')
$$;

-- The free text of a request's actions, as its notes hold it now.
CREATE FUNCTION foiflow_search_notes(id bigint) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', coalesce(string_agg(n.fields ->> (p.idx - 1)::text, ' '), '')), 'C')
    FROM request_event_notes n
    JOIN request_events e ON e.request_id = n.request_id AND e.seq = n.seq
    CROSS JOIN LATERAL jsonb_array_elements(e.fields) WITH ORDINALITY AS p(pair, idx)
    WHERE n.request_id = id AND p.pair ->> 0 = ANY (foiflow_search_text_fields()) AND n.fields ? (p.idx - 1)::text
$$;

-- A request written, its subject corrected, or its personal data removed: its document anew.
CREATE FUNCTION foiflow_request_searchable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Upserted: a CREATE's own event (written in the same statement, before this) may have
        -- put its note here first.
        INSERT INTO request_search (request_id, doc) VALUES (NEW.id, foiflow_search_head(NEW.ref, NEW.subject))
        ON CONFLICT (request_id) DO UPDATE SET doc = excluded.doc || request_search.doc;
    ELSE
        UPDATE request_search
        SET doc = foiflow_search_head(NEW.ref, NEW.subject)
                  || CASE WHEN NEW.anonymised_on IS NULL THEN foiflow_search_notes(NEW.id) ELSE ''::tsvector END
        WHERE request_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER requests_searchable
    AFTER INSERT OR UPDATE OF subject, anonymised_on ON requests
    FOR EACH ROW EXECUTE FUNCTION foiflow_request_searchable();

-- As in 0022, and an event's free text joins its request's document.
CREATE OR REPLACE FUNCTION foiflow_event_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    personal jsonb;
    previous bytea;
    free_text text;
BEGIN
    SELECT jsonb_object_agg((p.idx - 1)::text, p.pair -> 1),
           string_agg(p.pair ->> 1, ' ') FILTER (WHERE p.pair ->> 0 = ANY (foiflow_search_text_fields()))
    INTO personal, free_text
    FROM jsonb_array_elements(NEW.fields) WITH ORDINALITY AS p(pair, idx)
    WHERE NOT (p.pair ->> 0 = ANY (foiflow_public_event_fields()));
    IF personal IS NOT NULL THEN
        INSERT INTO request_event_notes (request_id, seq, fields) VALUES (NEW.request_id, NEW.seq, personal);
        NEW.fields := (
            SELECT jsonb_agg(
                       CASE WHEN p.pair ->> 0 = ANY (foiflow_public_event_fields()) THEN p.pair ELSE jsonb_build_array(p.pair -> 0, NULL) END
                       ORDER BY p.idx)
            FROM jsonb_array_elements(NEW.fields) WITH ORDINALITY AS p(pair, idx));
        IF free_text IS NOT NULL THEN
            INSERT INTO request_search (request_id, doc) VALUES (NEW.request_id, setweight(to_tsvector('english', free_text), 'C'))
            ON CONFLICT (request_id) DO UPDATE SET doc = request_search.doc || excluded.doc;
        END IF;
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

-- The requests there are, each with its document.
INSERT INTO request_search (request_id, doc)
SELECT r.id, foiflow_search_head(r.ref, r.subject) || coalesce(t.doc, ''::tsvector)
FROM requests r
LEFT JOIN (
    SELECT n.request_id, setweight(to_tsvector('english', string_agg(n.fields ->> (p.idx - 1)::text, ' ')), 'C') AS doc
    FROM request_event_notes n
    JOIN request_events e ON e.request_id = n.request_id AND e.seq = n.seq
    CROSS JOIN LATERAL jsonb_array_elements(e.fields) WITH ORDINALITY AS p(pair, idx)
    WHERE p.pair ->> 0 = ANY (foiflow_search_text_fields()) AND n.fields ? (p.idx - 1)::text
    GROUP BY n.request_id
) t ON t.request_id = r.id;

SELECT foiflow_grant_app();
