-- Issue 27: SEARCH ranks in request_search alone and reads only the requests it returns
-- (scripts/bench search: a common word matched 25,000 requests, and reading each of them to
-- filter and order took 170 ms). So the search document carries what a search filters on that
-- never or seldom changes: kind, receipt, team. The state, which changes with every action,
-- is still read from the request (only when a search asks for it).
ALTER TABLE request_search ADD COLUMN kind text;
ALTER TABLE request_search ADD COLUMN received date;
ALTER TABLE request_search ADD COLUMN team text;

UPDATE request_search s SET kind = r.kind, received = r.received, team = r.team FROM requests r WHERE r.id = s.request_id;

CREATE OR REPLACE FUNCTION foiflow_request_searchable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Upserted: a CREATE's own event (written in the same statement, before this) may have
        -- put its note here first.
        INSERT INTO request_search (request_id, doc, kind, received, team)
        VALUES (NEW.id, foiflow_search_head(NEW.ref, NEW.subject), NEW.kind, NEW.received, NEW.team)
        ON CONFLICT (request_id) DO UPDATE
        SET doc = excluded.doc || request_search.doc, kind = excluded.kind, received = excluded.received, team = excluded.team;
    ELSE
        UPDATE request_search
        SET doc = foiflow_search_head(NEW.ref, NEW.subject)
                  || CASE WHEN NEW.anonymised_on IS NULL THEN foiflow_search_notes(NEW.id) ELSE ''::tsvector END,
            team = NEW.team
        WHERE request_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER requests_searchable ON requests;
CREATE TRIGGER requests_searchable
    AFTER INSERT OR UPDATE OF subject, anonymised_on, team ON requests
    FOR EACH ROW EXECUTE FUNCTION foiflow_request_searchable();

ANALYZE request_search;
