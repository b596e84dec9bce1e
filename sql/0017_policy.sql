-- Sign-off policy (issue 17): settings the server and the CLI both read from the database.
-- `require-approval`: a comma list of outcomes whose response needs a manager's `approve`
-- since the request's last change.
CREATE TABLE policy (
    key        text PRIMARY KEY CHECK (key IN ('require-approval')),
    value      text NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The version an `approve` made: the approval stands while the request is still at it.
ALTER TABLE requests ADD COLUMN approved_version integer;
