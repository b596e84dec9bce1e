-- The monthly progress update (issue 12): the update_due a progress-update letter was last
-- written for, so two nightly runs (or two at once) write one letter per due update.
ALTER TABLE requests ADD COLUMN update_written_for date;
