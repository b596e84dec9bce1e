-- Backlog import (issue 15): a request brought in from a spreadsheet keeps the reference it had
-- there (`legacy_ref`, shown on SHOW), and a key that makes importing the same row again create
-- nothing: `legacy:<legacy_ref>`, else `row:<SHA-256 of the row's values>`.
ALTER TABLE requests ADD COLUMN legacy_ref text;
ALTER TABLE requests ADD COLUMN import_key text;
CREATE UNIQUE INDEX requests_import_key ON requests (import_key) WHERE import_key IS NOT NULL;
