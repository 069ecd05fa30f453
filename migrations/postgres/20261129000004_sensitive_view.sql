-- Who sees a sensitive drawing exactly, beside analysts, admins and its author: nobody more
-- ('analysts', the default), or also its workshop's tables and facilitator ('workshop').
ALTER TABLE projects ADD COLUMN sensitive_exact TEXT NOT NULL DEFAULT 'analysts'
    CHECK (sensitive_exact IN ('analysts', 'workshop'));
