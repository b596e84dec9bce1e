-- Issue 27: the s.12 cost limit. An estimate adds hours for one of the four activities that
-- count (reg 4(3)); an aggregation records the other requests whose costs add up (reg 5).
-- Both are casework kept in the events (hours, activities, references: not personal data);
-- COST adds them up. The limit is the authority's policy (`cost-limit`, default £450).
ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome',
    'hold', 'release', 'anonymised', 'estimate', 'aggregate', 'link', 'unlink', 'requester-viewed'));

CREATE OR REPLACE FUNCTION foiflow_public_event_fields() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        'received', 'contact', 'team', 'parent', 'calendar', 'to', 'on', 'amount', 'days', 'months', 'exemptions',
        'outcome', 'ico_ref', 'due', 'step', 'steps_due', 'method', 'letter', 'ref', 'level', 'appeal_by', 'by',
        'dn_ref', 'previous_due', 'legacy_ref', 'until', 'basis', 'type', 'activity', 'hours', 'with'
    ]::text[]
$$;

-- A request's estimate so far, in quarter hours (every `estimate` event's hours).
CREATE FUNCTION foiflow_estimate_quarters(id bigint) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum((p.pair ->> 1)::numeric * 4), 0)::integer
    FROM request_events e CROSS JOIN LATERAL jsonb_array_elements(e.fields) AS p(pair)
    WHERE e.request_id = id AND e.action = 'estimate' AND p.pair ->> 0 = 'hours'
$$;

-- The requests a request's costs are added up with: its last `aggregate` event's `with`.
CREATE FUNCTION foiflow_aggregated_with(id bigint) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT string_to_array(p.pair ->> 1, ',')
        FROM request_events e CROSS JOIN LATERAL jsonb_array_elements(e.fields) AS p(pair)
        WHERE e.request_id = id AND e.action = 'aggregate' AND p.pair ->> 0 = 'with'
        ORDER BY e.seq DESC LIMIT 1), '{}')
$$;

ALTER TABLE policy DROP CONSTRAINT policy_key_check;
ALTER TABLE policy ADD CONSTRAINT policy_key_check CHECK (key IN ('require-approval', 'cost-limit'));

SELECT foiflow_grant_app();
