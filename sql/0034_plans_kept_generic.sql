-- Issue 27, found by the A/B's warm-up (50,000 SHOWs one after another took minutes, not
-- seconds): PL/pgSQL plans a statement afresh with its parameters for its first calls and keeps
-- doing so when the generic plan is not estimated cheaper, and planning the repeat hint and the
-- family lookup took 1 to 2 ms against 0.1 ms to run. Both are one-row index lookups whatever
-- their argument, so the generic plan is always right for them.
ALTER FUNCTION foiflow_possible_repeat(bigint) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION foiflow_family_root(bigint) SET plan_cache_mode = force_generic_plan;
