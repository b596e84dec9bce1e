-- Reference numbers from one sequence per kind and year instead of a counter row.
-- A counter row is locked by every create until it commits, so creates queued behind
-- each other; a sequence hands out numbers without waiting. Numbers stay unique and in
-- order; a gap appears only if a create fails after taking its number.
CREATE FUNCTION foiflow_next_reference(p_kind text, p_year integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    seq text := format('foiflow_ref_%s_%s', p_kind, p_year);
BEGIN
    IF to_regclass(seq) IS NULL THEN
        -- The first request of this kind and year makes its sequence; others wait for it.
        -- After the wait this session's catalog view may still predate the other's commit,
        -- so creating it can find it there already: that is fine.
        PERFORM pg_advisory_xact_lock(hashtext(seq));
        BEGIN
            EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', seq);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;
        END;
    END IF;
    RETURN nextval(seq::regclass);
END
$$;

-- Carry over the numbers already handed out.
SELECT foiflow_next_reference(kind, year), setval(format('foiflow_ref_%s_%s', kind, year)::regclass, last)
FROM reference_counters;

DROP TABLE reference_counters;
