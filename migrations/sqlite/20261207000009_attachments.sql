-- Photos people attach to drawings (issue 28): the files are in the data folder
-- (`attachments/<id>.jpg` and `.thumb.jpg`, cleaned by trama::media); the rows say whose,
-- of which drawing, and their size. A drawing's purge takes its rows; a sweep, the files.
CREATE TABLE attachments (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    feature_id     TEXT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    participant_id TEXT REFERENCES participants (id),
    user_id        TEXT REFERENCES users (id),
    kind           TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    width          INTEGER,
    height         INTEGER,
    bytes          INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    CHECK ((participant_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX attachments_feature ON attachments (feature_id, created_at);
