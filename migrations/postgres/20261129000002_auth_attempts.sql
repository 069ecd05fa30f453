-- Attempts are counted before they are checked (so a burst cannot pass the limit in
-- parallel) and forgotten when they succeed: each needs an id to be forgotten by.
ALTER TABLE auth_failures ADD COLUMN attempt uuid;
