-- Requests, their append-only event history, reference counters and idempotency keys.

-- Per kind and year of receipt: the last reference number handed out.
CREATE TABLE reference_counters (
    kind text    NOT NULL,
    year integer NOT NULL,
    last integer NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE requests (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref            text NOT NULL UNIQUE,
    kind           text NOT NULL CHECK (kind IN ('foi', 'eir', 'sar', 'complaint', 'review')),
    state          text NOT NULL CHECK (state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id',
                       'in_progress', 'awaiting_approval', 'responded', 'closed', 'withdrawn', 'lapsed', 'transferred')),
    -- Number of events so far: every change adds one event and one version.
    version        integer NOT NULL CHECK (version >= 1),
    received       date NOT NULL,
    calendar       text NOT NULL CHECK (calendar IN ('uk', 'england-and-wales', 'scotland', 'northern-ireland')),
    -- Derived from kind, received, clock and calendar; NULL while the clock is stopped.
    due            date,
    max_due        date,
    -- The clock's inputs (start, pauses, fee periods, extensions), so due can be derived again.
    clock          jsonb NOT NULL,
    assignee       text REFERENCES users (login),
    team           text,
    requester      text NOT NULL,
    email          text,
    address        text,
    contact        text CHECK (contact IN ('email', 'post', 'phone')),
    subject        text,
    parent_ref     text REFERENCES requests (ref),
    outcome        text CHECK (outcome IN ('granted', 'partial', 'refused', 'not-held', 'ncnd')),
    exemptions     text,
    responded_on   date,
    transferred_to text,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The breach-risk list: open requests by due date.
CREATE INDEX requests_open_due ON requests (due, ref)
    WHERE state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval');
CREATE INDEX requests_state_ref ON requests (state, ref);
CREATE INDEX requests_kind_ref ON requests (kind, ref);
CREATE INDEX requests_assignee_ref ON requests (assignee, ref);

-- One row per change, numbered 1, 2, 3... per request (seq = the version it made). Append-only.
CREATE TABLE request_events (
    request_id bigint  NOT NULL REFERENCES requests (id),
    seq        integer NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL,
    from_state text,
    to_state   text NOT NULL,
    due        date,
    -- The action's fields, in order: [["on", "2026-11-26"], ["note", "..."]].
    fields     jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (request_id, seq)
);

CREATE TRIGGER request_events_append_only
    BEFORE UPDATE OR DELETE ON request_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- CREATE ... idempotency=KEY: per user, the request a key made and a hash of what was asked.
CREATE TABLE idempotency_keys (
    login        text   NOT NULL,
    key          text   NOT NULL,
    content_hash text   NOT NULL,
    request_id   bigint NOT NULL REFERENCES requests (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (login, key)
);

-- Writers compute due dates on a calendar version; this confirms it is still current and
-- holds it so until commit. The shared advisory lock conflicts with the exclusive one that
-- calendar changes take; the read after it takes a fresh snapshot (VOLATILE), so a change
-- committed while we waited is seen.
CREATE FUNCTION foiflow_calendar_is(expected bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7419238475002);
    RETURN (SELECT version FROM calendar_state WHERE id = 1) = expected;
END
$$;
