-- Who sees a request, in one place (issue 25): a user kept to a team (`scope`, an officer's or
-- manager's team) sees that team's requests and those of no team; a user with no scope (admins,
-- auditors, users of no team, the system) sees every request. Every read and write that is
-- kept to a team asks this function; so does the check that an assignee may see the request.
-- A one-expression SQL function is inlined by the planner, so the plans (and the partial
-- indexes they use) are those of the expression written out.
CREATE FUNCTION foiflow_sees(p_scope text, p_team text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_scope IS NULL OR p_team IS NULL OR p_team = p_scope
$$;
