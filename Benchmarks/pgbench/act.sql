-- ACT (assign) as separate statements on a random open request (every 20th row).
\set k random(1, 50000)
\set id :k * 20
BEGIN;
UPDATE requests SET version = version + 1, assignee = 'bench', updated_at = now() WHERE id = :id;
INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields)
SELECT id, version, 'bench', 'assign', state, state, due, '[["to","bench"]]' FROM requests WHERE id = :id;
END;
