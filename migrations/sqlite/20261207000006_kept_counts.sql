-- What a project's retention does when a workshop's raw drawings are due (domain::retention):
-- 'delete' them, or 'keep_counts': keep only the counts an aggregated export would release
-- (per cell, symbol and workshop, small counts suppressed) and delete the drawings.
ALTER TABLE projects ADD COLUMN retention_then TEXT NOT NULL DEFAULT 'delete';

-- The aggregated form a retention kept of a purged workshop: how many drawings of `symbol`
-- fell in H3 `cell` (the project's resolution then; a sensitive symbol's mask cell). Only
-- counts of at least the project's k are kept. Aggregated exports and priority analyses read
-- them beside the live drawings.
CREATE TABLE kept_counts (
    workshop_id TEXT NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    symbol TEXT NOT NULL,
    cell TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    kept_at TEXT NOT NULL,
    PRIMARY KEY (workshop_id, symbol, cell)
);
