-- Letters to requesters (issue 12): written from templates in the same statement as the
-- action behind them. An e-mail letter with everything it needs is queued for
-- `foiflow notify`; any other (post, phone, or a value missing) is a task for the lead
-- officer, with the reason, until recorded done.
ALTER TABLE users ADD COLUMN phone text;

CREATE TABLE letters (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES requests (id),
    template   text NOT NULL CHECK (template IN ('acknowledgement', 'clarification', 'fee-notice', 'extension',
                   'response', 'refusal', 'transfer', 'lapse', 'review-outcome', 'progress-update')),
    channel    text NOT NULL CHECK (channel IN ('email', 'post', 'phone')),
    status     text NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'task', 'done')),
    -- The e-mail address, postal address or telephone number it goes to, when known.
    recipient  text,
    subject    text NOT NULL,
    body       text NOT NULL,
    -- Why it is a task rather than a queued e-mail.
    task_note  text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);

CREATE INDEX letters_request ON letters (request_id, id);

-- A queued e-mail letter is delivered through the outbox like a staff notification: its
-- outbox row points at it, and delivery marks the letter sent (or failed once given up).
ALTER TABLE notifications ADD COLUMN letter_id bigint REFERENCES letters (id);
ALTER TABLE notifications DROP CONSTRAINT notifications_level_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_level_check
    CHECK (level IN ('warning', 'overdue', 'very-overdue', 'letter'));
COMMENT ON COLUMN notifications.recipient IS 'staff login for escalations; the requester''s name for letters';
