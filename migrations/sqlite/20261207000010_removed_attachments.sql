-- The attachments whose rows were removed (a drawing purged, a photo removed) and whose files
-- may still be in the data folder: written in the same transaction as the removal, cleared
-- once the files are gone. A sweep removes only the files named here, so a server started
-- over the wrong database removes nothing of another's photos.
CREATE TABLE removed_attachments (
    id TEXT PRIMARY KEY
);
