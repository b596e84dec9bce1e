-- Issue 27, item 6: a hint that a FOI or EIR request repeats one its requester had answered
-- (FOIA s.14(2) is the officer's judgement; nothing is refused automatically). Texts match
-- closely when their subjects share most of their words (stems, without stop words): the
-- shared words are at least 60% of all the words of the two.

-- The share of words two lists of stems have in common (Jaccard), 0 for two empty lists.
CREATE FUNCTION foiflow_similarity(a text[], b text[]) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN shared.n = 0 THEN 0 ELSE shared.n::float8 / (cardinality(a) + cardinality(b) - shared.n) END
    FROM (SELECT count(*) AS n FROM unnest(a) AS x WHERE x = ANY (b)) shared
$$;

CREATE FUNCTION foiflow_possible_repeat(request_id bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    found text;
BEGIN
    SELECT o.ref INTO found
    FROM requests r
    JOIN requests o ON o.requester_id = r.requester_id AND o.id <> r.id
    CROSS JOIN LATERAL (
        SELECT foiflow_similarity(tsvector_to_array(to_tsvector('english', coalesce(r.subject, ''))),
                                  tsvector_to_array(to_tsvector('english', coalesce(o.subject, '')))) AS score
    ) t
    WHERE r.id = request_id AND r.kind IN ('foi', 'eir') AND r.requester_id IS NOT NULL
      AND o.kind IN ('foi', 'eir') AND o.state IN ('responded', 'closed') AND o.received <= r.received
      AND t.score >= 0.6
    ORDER BY t.score DESC, o.received DESC, o.ref
    LIMIT 1;
    RETURN found;
END
$$;

SELECT foiflow_grant_app();
