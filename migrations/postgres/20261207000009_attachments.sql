-- Photos people attach to drawings (issue 28): the files are in the data folder
-- (`attachments/<id>.jpg` and `.thumb.jpg`, cleaned by trama::media); the rows say whose,
-- of which drawing, and their size. A drawing's purge takes its rows; a sweep, the files.
CREATE TABLE attachments (
    id             uuid PRIMARY KEY,
    project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    feature_id     uuid NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    participant_id uuid REFERENCES participants (id),
    user_id        uuid REFERENCES users (id),
    kind           text NOT NULL,
    media_type     text NOT NULL,
    width          integer,
    height         integer,
    bytes          bigint NOT NULL,
    created_at     timestamptz NOT NULL,
    CHECK ((participant_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX attachments_feature ON attachments (feature_id, created_at);
