-- SHOW: the same point read by primary key.
\set id random(1, 1000000)
SELECT ref, kind, state, version, received, calendar, due, max_due, assignee, team, requester, subject, email, address,
       contact, parent_ref, outcome, exemptions, responded_on, transferred_to
FROM requests WHERE id = :id;
