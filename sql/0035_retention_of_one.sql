-- Issue 26, found by the A/B's warm-up: SHOW asked foiflow_retention for every request, open
-- ones too, and PL/pgSQL re-planned its statement for each call (1 to 8 ms). SHOW now asks this
-- instead: nothing for an open or anonymised request, and for a closed one the same function
-- under one generic plan (0.05 to 0.3 ms), while the nightly run, deciding 90,000 families in
-- one call, keeps the plan made for its own arguments (a generic one took 5.3 s, not 2.5).
CREATE FUNCTION foiflow_retention_of(request_id bigint, asof date)
RETURNS TABLE (anonymise_on date, held text) LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM requests r WHERE r.id = request_id AND NOT foiflow_is_open(r.state) AND r.anonymised_on IS NULL
    ) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT t.anonymise_on, t.held FROM foiflow_retention(asof, ARRAY[foiflow_family_root(request_id)]) t;
END
$$;

SELECT foiflow_grant_app();
