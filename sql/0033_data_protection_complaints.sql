-- Issue 27, item 7: complaints about how the authority handled someone's personal data (DPA
-- 2018 s.164A, inserted by the Data (Use and Access) Act 2025, from 19 June 2026): kind `dpc`,
-- references DPC-YYYY-NNNNNN; `acknowledge` stops its 30-day clock.
INSERT INTO request_kinds (kind, prefix) VALUES ('dpc', 'DPC');
-- A default, like the others (CASEWORK-RULES 5.2 names none for this kind): as a service
-- complaint, six years after closure. Replace it with the force's own schedule.
INSERT INTO retention_rules (kind, years) VALUES ('dpc', 6);

ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome',
    'hold', 'release', 'anonymised', 'acknowledge', 'estimate', 'aggregate', 'link', 'unlink', 'requester-viewed'));

SELECT foiflow_grant_app();
