-- The attachments whose rows were removed (a drawing purged, a photo removed) and whose files
-- may still be in the data folder: written in the same transaction as the removal, cleared
-- once the files are gone. A sweep removes only the files named here, so a server started
-- over the wrong database removes nothing of another's photos.
CREATE TABLE removed_attachments (
    id uuid PRIMARY KEY
);

-- A phone's offline queue sends a photo with an Idempotency-Key until it hears back: a retry
-- answers the photo kept the first time (one key a drawing).
ALTER TABLE attachments ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX attachments_idempotency ON attachments (feature_id, idempotency_key);

-- A voice note's length (kind 'voice_note'; a photo has its width and height).
ALTER TABLE attachments ADD COLUMN duration_ms INTEGER;

-- The keys removed attachments were sent with, per drawing: a phone's late retry of a photo
-- an analyst removed is refused, not kept again. They go with their drawing.
CREATE TABLE removed_attachment_keys (
    feature_id      uuid NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    PRIMARY KEY (feature_id, idempotency_key)
);

-- Whatever removes an attachment's row (its removal, its drawing's purge, a cascade from a
-- drawing deleted meanwhile) names it among the removed, so that its files go too.
CREATE FUNCTION attachments_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removed_attachments (id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
    -- A drawing being deleted takes its keys with it (its row is gone by now).
    INSERT INTO removed_attachment_keys (feature_id, idempotency_key)
        SELECT OLD.feature_id, OLD.idempotency_key
        WHERE OLD.idempotency_key IS NOT NULL
          AND EXISTS (SELECT 1 FROM features WHERE id = OLD.feature_id)
        ON CONFLICT DO NOTHING;
    RETURN OLD;
END
$$;
CREATE TRIGGER attachments_removed AFTER DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION attachments_removed();

-- What a project lets one attachment be (null: the server's defaults, 8 MB a photo, 60 s a
-- voice note).
ALTER TABLE projects ADD COLUMN photo_max_mb BIGINT;
ALTER TABLE projects ADD COLUMN voice_note_max_seconds BIGINT;

-- A photo or voice note of a comment on the drawing (null: of the drawing itself); it goes
-- with its comment.
ALTER TABLE attachments ADD COLUMN annotation_id uuid REFERENCES annotations (id) ON DELETE CASCADE;
