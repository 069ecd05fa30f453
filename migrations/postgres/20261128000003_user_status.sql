-- An admin can disable a user: their tokens stop working and they cannot log in. Users are
-- never deleted, because features and reviews keep pointing at them.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
