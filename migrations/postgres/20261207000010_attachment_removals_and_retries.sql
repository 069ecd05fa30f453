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

-- Whatever removes an attachment's row (its removal, its drawing's purge, a cascade from a
-- drawing deleted meanwhile) names it among the removed, so that its files go too.
CREATE FUNCTION attachments_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removed_attachments (id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
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
