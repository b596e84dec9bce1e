-- CREATE as separate statements: BEGIN; INSERT request; INSERT event; COMMIT.
BEGIN;
INSERT INTO requests (ref, kind, state, version, received, calendar, due, max_due, clock, requester, subject, created_by)
VALUES ('PGB-' || nextval('pgbench_refs'), 'foi', 'received', 1, '2026-11-20', 'uk', '2026-12-21', '2027-01-22',
        '{"extensionDays":0,"extensionMonths":0,"feePeriods":[],"pausedDays":0,"start":"2026-11-20"}', 'Bench Requester', 'Benchmark', 'bench');
INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields)
VALUES (currval('requests_id_seq'), 1, 'bench', 'create', NULL, 'received', '2026-12-21', '[]');
END;
