-- Pictograms uploaded by admins (SVG text, checked for scripts and outside references).
CREATE TABLE pictograms (
    name       text PRIMARY KEY,
    svg        text NOT NULL,
    created_at timestamptz NOT NULL
);
