-- Kinds as rows, so that adding a kind is one line here (with its case in RequestKind);
-- they replace the CHECK on requests.kind.
CREATE TABLE request_kinds (
    kind   text PRIMARY KEY,
    prefix text NOT NULL UNIQUE
);
INSERT INTO request_kinds (kind, prefix) VALUES
    ('foi', 'FOI'), ('eir', 'EIR'), ('sar', 'SAR'), ('complaint', 'CMP'), ('review', 'REV');

ALTER TABLE requests DROP CONSTRAINT requests_kind_check;
ALTER TABLE requests ADD CONSTRAINT requests_kind_fkey FOREIGN KEY (kind) REFERENCES request_kinds (kind);

-- Events name a known action and known states (the Action and RequestState enums; a test
-- checks the lists agree).
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'lapse', 'escalate',
    'recalculate'));
ALTER TABLE request_events ADD CONSTRAINT request_events_states_check CHECK (
    (from_state IS NULL OR from_state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id',
        'in_progress', 'awaiting_approval', 'responded', 'closed', 'withdrawn', 'lapsed', 'transferred'))
    AND to_state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id',
        'in_progress', 'awaiting_approval', 'responded', 'closed', 'withdrawn', 'lapsed', 'transferred'));

-- Notifications carry an escalation level (EscalationLevel).
ALTER TABLE notifications ADD CONSTRAINT notifications_level_check CHECK (level IN ('warning', 'overdue', 'very-overdue'));

-- LIST team=... and RISK team=... (a team's own lists).
CREATE INDEX requests_team_ref ON requests (team, ref);
CREATE INDEX requests_team_open_due ON requests (team, due, ref)
    WHERE state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval');
