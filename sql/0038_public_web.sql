-- Issue 29: the public side on the web.

-- Every request made from now on has an access code (at least 64 random bits, shown once: on
-- the web form's answer and in the acknowledgement letter); only its SHA-256 is kept. With the
-- reference it opens the request's status page.
ALTER TABLE requests ADD COLUMN access_hash bytea CHECK (octet_length(access_hash) = 32);

-- An officer's iCalendar feed (`/calendar/TOKEN.ics`): the token's SHA-256; `foiflow user
-- calendar-token` issues or rotates it, and a disabled user's feed stops at once.
ALTER TABLE users ADD COLUMN calendar_token_hash bytea UNIQUE CHECK (octet_length(calendar_token_hash) = 32);

-- The disclosure log: what `respond publish=yes publish_title=...` decided to publish, from
-- `publish_on` (the response plus the authority's `publish-after` working days). No personal
-- data: the title is written for publication. Kept when the request is anonymised.
CREATE TABLE disclosure_log (
    request_id  bigint PRIMARY KEY REFERENCES requests (id),
    ref         text NOT NULL UNIQUE,
    kind        text NOT NULL,
    answered_on date NOT NULL,
    publish_on  date NOT NULL,
    title       text NOT NULL CHECK (title <> ''),
    outcome     text NOT NULL,
    grounds     text,
    search      tsvector GENERATED ALWAYS AS (to_tsvector('english', ref || ' ' || title)) STORED
);
-- The log reads newest answer first, a page at a time.
CREATE INDEX disclosure_log_newest ON disclosure_log (answered_on DESC, ref DESC);
CREATE INDEX disclosure_log_search ON disclosure_log USING gin (search);

-- `publish`, `publish_title` (written for the public) and `on`... are kept in the event;
-- `publish_reason` (why not) is an officer's free text, personal like every note.
CREATE OR REPLACE FUNCTION foiflow_public_event_fields() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        'received', 'contact', 'team', 'parent', 'calendar', 'to', 'on', 'amount', 'days', 'months', 'exemptions',
        'outcome', 'ico_ref', 'due', 'step', 'steps_due', 'method', 'letter', 'ref', 'level', 'appeal_by', 'by',
        'dn_ref', 'previous_due', 'legacy_ref', 'until', 'basis', 'type', 'activity', 'hours', 'with',
        'publish', 'publish_title'
    ]::text[]
$$;

ALTER TABLE policy DROP CONSTRAINT policy_key_check;
ALTER TABLE policy ADD CONSTRAINT policy_key_check CHECK (key IN ('require-approval', 'cost-limit', 'publish-after'));

-- A calendar token issued or rotated is a change to the user, recorded like the others (0037).
CREATE FUNCTION foiflow_log_calendar_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_log (actor, subject, target, change) VALUES (foiflow_change_actor(), 'user', NEW.login, 'new calendar token');
    RETURN NULL;
END
$$;

CREATE TRIGGER users_calendar_token_logged AFTER UPDATE OF calendar_token_hash ON users
    FOR EACH ROW WHEN (NEW.calendar_token_hash IS NOT NULL AND OLD.calendar_token_hash IS DISTINCT FROM NEW.calendar_token_hash)
    EXECUTE FUNCTION foiflow_log_calendar_token();

SELECT foiflow_grant_app();
