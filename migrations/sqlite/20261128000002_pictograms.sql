-- Pictograms uploaded by admins (SVG text, checked for scripts and outside references).
CREATE TABLE pictograms (
    name       TEXT PRIMARY KEY,
    svg        TEXT NOT NULL,
    created_at TEXT NOT NULL
);
