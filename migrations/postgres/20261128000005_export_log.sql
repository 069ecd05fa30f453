-- Every export: who took what, when, at which privacy level and with which parameters.
CREATE TABLE export_log (
    id          uuid PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     uuid REFERENCES users (id),
    -- Who, as written then (the CLI exports as the operator, without a user).
    actor       text NOT NULL,
    at          timestamptz NOT NULL,
    content     text NOT NULL,
    format      text NOT NULL,
    privacy     text NOT NULL CHECK (privacy IN ('full', 'anonymised', 'aggregated')),
    -- JSON: filters and masking parameters.
    parameters  text NOT NULL
);
CREATE INDEX export_log_project ON export_log (project_id, at);
