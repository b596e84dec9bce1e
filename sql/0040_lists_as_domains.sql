-- Issues 26 and 27: the closed lists a write checks (actions, states, outcomes, calendars,
-- contact methods, letter templates, channels and statuses, notification levels) become domains.
-- A table's CHECK constraint is read back from its stored text at every statement that writes
-- the table, and an event's two lists alone were 14 kB of it: under CREATE at 16 connections
-- that parsing was about 5% of PostgreSQL's time. A domain's checks are parsed once per
-- connection. Each list is written once, here (SchemaTests compares each with its Swift enum);
-- a later migration changes one with ALTER DOMAIN.

CREATE DOMAIN foiflow_action AS text CONSTRAINT foiflow_action_check CHECK (VALUE IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome',
    'hold', 'release', 'anonymised', 'acknowledge', 'estimate', 'aggregate', 'link', 'unlink', 'requester-viewed', 'amend'));

CREATE DOMAIN foiflow_state AS text CONSTRAINT foiflow_state_check CHECK (VALUE IN (
    'received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval',
    'responded', 'closed', 'withdrawn', 'lapsed', 'transferred', 'with_ico', 'steps_due', 'decided', 'at_tribunal'));

CREATE DOMAIN foiflow_outcome AS text CONSTRAINT foiflow_outcome_check CHECK (VALUE IN (
    'granted', 'partial', 'refused', 'not-held', 'ncnd', 'upheld', 'upheld-in-part', 'overturned'));

CREATE DOMAIN foiflow_calendar AS text CONSTRAINT foiflow_calendar_check CHECK (VALUE IN (
    'uk', 'england-and-wales', 'scotland', 'northern-ireland'));

CREATE DOMAIN foiflow_contact AS text CONSTRAINT foiflow_contact_check CHECK (VALUE IN ('email', 'post', 'phone'));

CREATE DOMAIN foiflow_letter_template AS text CONSTRAINT foiflow_letter_template_check CHECK (VALUE IN (
    'acknowledgement', 'clarification', 'fee-notice', 'extension', 'response', 'refusal', 'transfer', 'lapse',
    'review-outcome', 'progress-update'));

CREATE DOMAIN foiflow_letter_channel AS text CONSTRAINT foiflow_letter_channel_check CHECK (VALUE IN ('email', 'post', 'phone'));

CREATE DOMAIN foiflow_letter_status AS text CONSTRAINT foiflow_letter_status_check CHECK (VALUE IN (
    'queued', 'sent', 'failed', 'task', 'done'));

CREATE DOMAIN foiflow_notification_level AS text CONSTRAINT foiflow_notification_level_check CHECK (VALUE IN (
    'warning', 'overdue', 'very-overdue', 'letter'));

-- Each table once: the rows are checked against the domains, and no row is rewritten.
ALTER TABLE request_events
    DROP CONSTRAINT request_events_action_check,
    DROP CONSTRAINT request_events_states_check,
    ALTER COLUMN action TYPE foiflow_action,
    ALTER COLUMN from_state TYPE foiflow_state,
    ALTER COLUMN to_state TYPE foiflow_state;

ALTER TABLE requests
    DROP CONSTRAINT requests_state_check,
    DROP CONSTRAINT requests_outcome_check,
    DROP CONSTRAINT requests_proposed_outcome_check,
    DROP CONSTRAINT requests_calendar_check,
    DROP CONSTRAINT requests_contact_check,
    ALTER COLUMN state TYPE foiflow_state,
    ALTER COLUMN outcome TYPE foiflow_outcome,
    ALTER COLUMN proposed_outcome TYPE foiflow_outcome,
    ALTER COLUMN calendar TYPE foiflow_calendar,
    ALTER COLUMN contact TYPE foiflow_contact;

ALTER TABLE letters
    DROP CONSTRAINT letters_template_check,
    DROP CONSTRAINT letters_channel_check,
    DROP CONSTRAINT letters_status_check,
    ALTER COLUMN template TYPE foiflow_letter_template,
    ALTER COLUMN channel TYPE foiflow_letter_channel,
    ALTER COLUMN status TYPE foiflow_letter_status;

ALTER TABLE notifications
    DROP CONSTRAINT notifications_level_check,
    ALTER COLUMN level TYPE foiflow_notification_level;

SELECT foiflow_grant_app();
