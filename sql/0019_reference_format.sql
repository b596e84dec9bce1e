-- A new request's reference, in one place for every statement that makes one (CREATE and the
-- backlog import): the kind's prefix, the year of receipt and the next number of that kind and
-- year, zero-padded to six digits and never cut short (issue 24: `lpad(n, 6)` truncated the
-- 1,000,000th to `100000`). `RequestReference` reads and prints the same form in Swift; a test
-- compares the two from one digit to eighteen.
CREATE FUNCTION foiflow_reference(p_prefix text, p_year integer, p_number bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_prefix || '-' || p_year::text || '-' || lpad(p_number::text, greatest(6, length(p_number::text)), '0')
$$;

CREATE FUNCTION foiflow_new_reference(p_kind text, p_year integer) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT foiflow_reference(k.prefix, p_year, foiflow_next_reference(p_kind, p_year))
    FROM request_kinds k WHERE k.kind = p_kind
$$;
