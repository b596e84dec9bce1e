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

-- As in 0037, with a calendar token issued or rotated recorded too.
CREATE OR REPLACE FUNCTION foiflow_log_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    what text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        what := concat_ws('; ', 'added as ' || NEW.role, 'team ' || NEW.team, CASE WHEN NEW.name IS NOT NULL THEN 'name set' END,
                          CASE WHEN NEW.email IS NOT NULL THEN 'email set' END, CASE WHEN NEW.phone IS NOT NULL THEN 'phone set' END);
    ELSIF TG_OP = 'DELETE' THEN
        what := 'removed';
    ELSE
        what := concat_ws('; ',
            foiflow_changed('role', OLD.role, NEW.role),
            foiflow_changed('team', OLD.team, NEW.team),
            foiflow_changed_quietly('name', OLD.name, NEW.name),
            foiflow_changed_quietly('email', OLD.email, NEW.email),
            foiflow_changed_quietly('phone', OLD.phone, NEW.phone),
            CASE WHEN OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL THEN 'disabled' END,
            CASE WHEN OLD.disabled_at IS NOT NULL AND NEW.disabled_at IS NULL THEN 'enabled' END,
            CASE WHEN NEW.token_hash IS NOT NULL AND OLD.token_hash IS DISTINCT FROM NEW.token_hash THEN 'new API token' END,
            CASE WHEN NEW.calendar_token_hash IS NOT NULL AND OLD.calendar_token_hash IS DISTINCT FROM NEW.calendar_token_hash
                 THEN 'new calendar token' END);
    END IF;
    IF what <> '' THEN
        INSERT INTO change_log (actor, subject, target, change)
        VALUES (foiflow_change_actor(), 'user', coalesce(NEW.login, OLD.login), what);
    END IF;
    RETURN NULL;
END
$$;

SELECT foiflow_grant_app();
