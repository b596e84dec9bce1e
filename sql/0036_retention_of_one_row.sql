-- Issue 26: foiflow_retention_of returns at most one row. Declared so: with PostgreSQL's default
-- guess for a set-returning function (1,000 rows), SHOW's estimated cost passed jit_above_cost
-- and every SHOW was compiled to machine code first (17 ms against 0.8 ms, found by the A/B's
-- warm-up of 50,000 SHOWs).
ALTER FUNCTION foiflow_retention_of(bigint, date) ROWS 1;
