-- Bank holidays per division: seeded from the rules (0003), changed by admins and
-- by imports of GOV.UK's bank-holidays.json. Every open deadline depends on them.
CREATE TABLE holidays (
    division   text NOT NULL CHECK (division IN ('england-and-wales', 'scotland', 'northern-ireland')),
    date       date NOT NULL CHECK (date BETWEEN '1990-01-01' AND '2100-12-31'),
    title      text NOT NULL CHECK (title <> ''),
    substitute boolean NOT NULL DEFAULT false,
    source     text NOT NULL CHECK (source IN ('rules', 'import', 'admin')),
    PRIMARY KEY (division, date)
);

-- Who changed the calendar, when and how. Append-only.
CREATE TABLE holiday_changes (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text NOT NULL,
    action   text NOT NULL CHECK (action IN ('add', 'remove', 'import')),
    division text,
    date     date,
    title    text,
    detail   text
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER holiday_changes_append_only
    BEFORE UPDATE OR DELETE ON holiday_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A counter bumped by every change to holidays, so a running server knows to
-- rebuild its calendars (and a writer can hold it steady with FOR SHARE).
CREATE TABLE calendar_state (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO calendar_state VALUES (1, 1);

CREATE FUNCTION bump_calendar_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER holidays_changed
    AFTER INSERT OR UPDATE OR DELETE ON holidays
    FOR EACH STATEMENT EXECUTE FUNCTION bump_calendar_version();
