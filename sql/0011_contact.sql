-- Keeping the requester informed: the last contact (a letter sent or done, or a contact
-- recorded with ACT contacted) decides when a progress update falls due (update_due).
ALTER TABLE requests ADD COLUMN last_contact date;

ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'lapse', 'escalate',
    'recalculate', 'contacted'));
