-- Priority areas: boundary layers analysts upload to score per unit, and the priority zones
-- they save from a computation, with every status change kept.

CREATE TABLE boundary_layers (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    -- GeoJSON FeatureCollection of the units, each with its `name` property.
    units       TEXT NOT NULL,
    unit_count  INTEGER NOT NULL,
    created_by  TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE priority_zones (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL
        CHECK (status IN ('proposed', 'confirmed', 'intervention_planned', 'closed')),
    notes       TEXT NOT NULL DEFAULT '',
    -- GeoJSON geometry as saved: new drawings do not move a saved zone.
    geometry    TEXT NOT NULL,
    -- What the computation said when the zone was saved (rule, score, area, symbols...).
    computed    TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    created_by  TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX priority_zones_project ON priority_zones (project_id, created_at);

CREATE TABLE priority_zone_events (
    zone_id     TEXT NOT NULL REFERENCES priority_zones (id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL,
    at          TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id),
    status      TEXT NOT NULL,
    note        TEXT,
    PRIMARY KEY (zone_id, revision)
);
