-- Published service commitments beside the statute (issue 12): per kind, a length in
-- working days, calendar days or months, and the words the authority published.
CREATE TABLE commitments (
    kind       text PRIMARY KEY REFERENCES request_kinds (kind),
    unit       text NOT NULL CHECK (unit IN ('working-days', 'calendar-days', 'months')),
    amount     integer NOT NULL CHECK (amount BETWEEN 1 AND 1000),
    text       text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
