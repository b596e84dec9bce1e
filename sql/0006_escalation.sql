-- Nightly escalation: which request reached which level for which due date, and the
-- notifications to send (an outbox written in the same transaction as the escalation).

-- Each request reaches each level at most once per due date; a due date that moves
-- can escalate again.
CREATE TABLE escalations (
    request_id bigint NOT NULL REFERENCES requests (id),
    level      text   NOT NULL CHECK (level IN ('warning', 'overdue', 'very-overdue')),
    due        date   NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, level, due)
);

CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id      bigint NOT NULL REFERENCES requests (id),
    level           text NOT NULL,
    recipient       text,            -- login; NULL when nobody could be found
    email           text,            -- NULL when the recipient has no address
    subject         text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    failed_at       timestamptz,     -- given up after too many attempts
    last_error      text
);

CREATE INDEX notifications_pending ON notifications (next_attempt_at, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
