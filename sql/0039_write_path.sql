-- Issues 26 and 27: what the history's trigger and requester matching cost a write, cut where
-- there is nothing for them to do. Profiled under CREATE at 16 connections, PL/pgSQL triggers
-- took about a third of PostgreSQL's time; most of an ACT's went on splitting fields that held
-- no personal value, and every CREATE matched a requester it could not have (docs/BENCHMARKS.md).

-- Whether an event's fields hold a personal value: a pair whose name is not public and whose
-- value is not null. Built once from the public list (one home: foiflow_public_event_fields),
-- and tested in the trigger as a plain expression, with no query.
CREATE FUNCTION foiflow_personal_value_path() RETURNS jsonpath LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ('strict $[*] ? (@[1].type() != "null" && !(' || string_agg('@[0] == "' || f || '"', ' || ') || '))')::jsonpath
    FROM unnest(foiflow_public_event_fields()) AS f
$$;

-- As in 0028, with two short cuts: an event with no personal value is not split (nothing would
-- go to the notes or the search document), and a request's first event has no previous digest
-- to look up.
CREATE OR REPLACE FUNCTION foiflow_event_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    personal jsonb;
    previous bytea;
    free_text text;
BEGIN
    IF NEW.fields @? foiflow_personal_value_path() THEN
        SELECT jsonb_object_agg((p.idx - 1)::text, p.pair -> 1),
               string_agg(p.pair ->> 1, ' ') FILTER (WHERE p.pair ->> 0 = ANY (foiflow_search_text_fields()))
        INTO personal, free_text
        FROM jsonb_array_elements(NEW.fields) WITH ORDINALITY AS p(pair, idx)
        WHERE NOT (p.pair ->> 0 = ANY (foiflow_public_event_fields()));
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
    IF NEW.seq > 1 THEN
        SELECT digest INTO previous FROM request_events WHERE request_id = NEW.request_id AND seq = NEW.seq - 1;
        IF previous IS NULL THEN
            -- A statement writing several events of one request writes them in order.
            RAISE EXCEPTION 'event % of request % written before event %', NEW.seq, NEW.request_id, NEW.seq - 1;
        END IF;
    END IF;
    NEW.digest := sha256(coalesce(previous, ''::bytea) || foiflow_event_content(
        NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.from_state, NEW.to_state, NEW.due, NEW.fields, NEW.effective_on));
    RETURN NEW;
END
$$;

-- A new request with neither an e-mail address nor a postal address has no requester key
-- (foiflow_requester_key), so its insert does not call the matching at all. A correction still
-- matches as before.
DROP TRIGGER requests_matched ON requests;
CREATE TRIGGER requests_matched_on_insert
    BEFORE INSERT ON requests
    FOR EACH ROW WHEN (NEW.email IS NOT NULL OR NEW.address IS NOT NULL)
    EXECUTE FUNCTION foiflow_request_matched();
CREATE TRIGGER requests_matched
    BEFORE UPDATE OF requester, email, address, anonymised_on ON requests
    FOR EACH ROW EXECUTE FUNCTION foiflow_request_matched();

SELECT foiflow_grant_app();
