-- Every export: who took what, when, at which privacy level and with which parameters.
CREATE TABLE export_log (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     TEXT REFERENCES users (id),
    -- Who, as written then (the CLI exports as the operator, without a user).
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    content     TEXT NOT NULL,
    format      TEXT NOT NULL,
    privacy     TEXT NOT NULL CHECK (privacy IN ('full', 'anonymised', 'aggregated')),
    -- JSON: filters and masking parameters.
    parameters  TEXT NOT NULL
);
CREATE INDEX export_log_project ON export_log (project_id, at);
