-- Issue 27: case links. Two requests linked (related, a duplicate, a round-robin, requesters
-- acting in concert, a repeat), once per pair and type, whichever end it was made from. Links
-- are casework, not personal data (what stays after anonymisation); a link's note is kept
-- with the event's notes, like every free text.
CREATE TABLE request_links (
    low_id     bigint NOT NULL REFERENCES requests (id),
    high_id    bigint NOT NULL REFERENCES requests (id),
    type       text NOT NULL CHECK (type IN ('related', 'duplicate', 'round-robin', 'in-concert', 'repeat')),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    PRIMARY KEY (low_id, high_id, type),
    CHECK (low_id < high_id)
);
CREATE INDEX request_links_high ON request_links (high_id);

ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome',
    'hold', 'release', 'anonymised', 'link', 'unlink', 'requester-viewed'));

-- A link's type is casework, kept in the event.
CREATE OR REPLACE FUNCTION foiflow_public_event_fields() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        'received', 'contact', 'team', 'parent', 'calendar', 'to', 'on', 'amount', 'days', 'months', 'exemptions',
        'outcome', 'ico_ref', 'due', 'step', 'steps_due', 'method', 'letter', 'ref', 'level', 'appeal_by', 'by',
        'dn_ref', 'previous_due', 'legacy_ref', 'until', 'basis', 'type'
    ]::text[]
$$;

CREATE OR REPLACE FUNCTION foiflow_is_casework(action text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT action NOT IN ('hold', 'release', 'anonymised', 'escalate', 'recalculate', 'requester-viewed', 'link', 'unlink')
$$;

SELECT foiflow_grant_app();
