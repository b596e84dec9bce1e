-- An approval binds what was put up for it (issue 24): `submit outcome=... exemptions=...`
-- records the proposed response, and under the sign-off policy a response with another outcome
-- or other grounds needs a new approval.
ALTER TABLE requests ADD COLUMN proposed_outcome text
    CHECK (proposed_outcome IN ('granted', 'partial', 'refused', 'not-held', 'ncnd', 'upheld', 'upheld-in-part', 'overturned'));
ALTER TABLE requests ADD COLUMN proposed_exemptions text;
