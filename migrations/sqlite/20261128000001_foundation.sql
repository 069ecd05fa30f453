-- Trama foundation schema (SQLite). Ids exposed by the API are UUID text; timestamps are
-- RFC 3339 text in UTC. Geometry is RFC 7946 GeoJSON text in WGS84 lon/lat, with its
-- bounding box kept beside it and in an R*Tree for spatial queries.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'facilitator', 'researcher')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE projects (
    id             TEXT PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    default_locale TEXT NOT NULL,
    area           TEXT,
    created_at     TEXT NOT NULL
);

CREATE TABLE symbols (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    labels         TEXT NOT NULL,           -- JSON object: locale -> label
    kind           TEXT NOT NULL CHECK (kind IN ('risk', 'resource', 'actor', 'relation', 'other')),
    geometry_types TEXT NOT NULL,           -- JSON array of point|line|polygon
    color          TEXT NOT NULL,
    icon           TEXT,
    weight         REAL NOT NULL,
    sensitive      INTEGER NOT NULL DEFAULT 0,
    position       INTEGER NOT NULL,
    UNIQUE (project_id, key)
);

CREATE TABLE workshops (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    place          TEXT,
    starts_at      TEXT,
    ends_at        TEXT,
    facilitator_id TEXT REFERENCES users (id),
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    join_code      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    closed_at      TEXT
);
CREATE INDEX workshops_project ON workshops (project_id);
-- Two open workshops never share a code; a closed workshop's code may come back.
CREATE UNIQUE INDEX workshops_open_join_code ON workshops (join_code) WHERE status = 'open';

CREATE TABLE workshop_groups (
    id          TEXT PRIMARY KEY,
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    UNIQUE (workshop_id, name)
);

CREATE TABLE participants (
    id           TEXT PRIMARY KEY,
    workshop_id  TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    group_id     TEXT NOT NULL REFERENCES workshop_groups (id),
    display_name TEXT,
    created_at   TEXT NOT NULL
);

-- Bearer tokens, for users and for participants. Only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    token_hash     TEXT PRIMARY KEY,
    user_id        TEXT REFERENCES users (id) ON DELETE CASCADE,
    participant_id TEXT REFERENCES participants (id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    expires_at     TEXT,
    CHECK ((user_id IS NULL) <> (participant_id IS NULL))
);

CREATE TABLE features (
    pk             INTEGER PRIMARY KEY,     -- the R*Tree key; never exposed
    id             TEXT NOT NULL UNIQUE,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    workshop_id    TEXT REFERENCES workshops (id),
    group_id       TEXT REFERENCES workshop_groups (id),
    participant_id TEXT REFERENCES participants (id),
    user_id        TEXT REFERENCES users (id),
    symbol_id      TEXT NOT NULL REFERENCES symbols (id),
    geometry       TEXT NOT NULL,
    min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL,
    title          TEXT,
    description    TEXT,
    review_state   TEXT NOT NULL CHECK (review_state IN ('submitted', 'accepted', 'rejected', 'merged')),
    review_reason  TEXT,
    reviewer_id    TEXT REFERENCES users (id),
    merged_into    TEXT REFERENCES features (id),
    hidden         INTEGER NOT NULL DEFAULT 0,
    revision       INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    -- What made this revision, and who: the history's entry for the current version.
    last_action               TEXT NOT NULL,
    changed_by_participant_id TEXT REFERENCES participants (id),
    changed_by_user_id        TEXT REFERENCES users (id),
    CHECK ((participant_id IS NULL) <> (user_id IS NULL)),
    CHECK ((changed_by_participant_id IS NULL) <> (changed_by_user_id IS NULL))
);
CREATE INDEX features_project ON features (project_id, workshop_id);
CREATE INDEX features_symbol ON features (symbol_id);

CREATE VIRTUAL TABLE features_rtree USING rtree (pk, min_x, max_x, min_y, max_y);

-- The R*Tree follows the features table by itself, so no writer can forget it.
CREATE TRIGGER features_rtree_insert AFTER INSERT ON features BEGIN
    INSERT INTO features_rtree (pk, min_x, max_x, min_y, max_y)
    VALUES (new.pk, new.min_x, new.max_x, new.min_y, new.max_y);
END;
CREATE TRIGGER features_rtree_update AFTER UPDATE OF min_x, min_y, max_x, max_y ON features BEGIN
    UPDATE features_rtree SET min_x = new.min_x, max_x = new.max_x, min_y = new.min_y, max_y = new.max_y
    WHERE pk = new.pk;
END;
CREATE TRIGGER features_rtree_delete AFTER DELETE ON features BEGIN
    DELETE FROM features_rtree WHERE pk = old.pk;
END;

-- Every previous version of every feature, whole, with what made it and who; the current
-- version is the features row. Filled by a trigger so that no update can skip it.
CREATE TABLE feature_revisions (
    id             TEXT NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    revision       INTEGER NOT NULL,
    project_id     TEXT NOT NULL,
    workshop_id    TEXT,
    group_id       TEXT,
    participant_id TEXT,
    user_id        TEXT,
    symbol_id      TEXT NOT NULL,
    geometry       TEXT NOT NULL,
    min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL,
    title          TEXT,
    description    TEXT,
    review_state   TEXT NOT NULL,
    review_reason  TEXT,
    reviewer_id    TEXT,
    merged_into    TEXT,
    hidden         INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    last_action               TEXT NOT NULL,
    changed_by_participant_id TEXT,
    changed_by_user_id        TEXT,
    PRIMARY KEY (id, revision)
);

CREATE TRIGGER features_keep_revision AFTER UPDATE ON features
WHEN old.revision <> new.revision BEGIN
    INSERT INTO feature_revisions (id, revision, project_id, workshop_id, group_id, participant_id, user_id,
        symbol_id, geometry, min_x, min_y, max_x, max_y, title, description, review_state, review_reason,
        reviewer_id, merged_into, hidden, created_at, updated_at, deleted_at, last_action,
        changed_by_participant_id, changed_by_user_id)
    VALUES (old.id, old.revision, old.project_id, old.workshop_id, old.group_id, old.participant_id, old.user_id,
        old.symbol_id, old.geometry, old.min_x, old.min_y, old.max_x, old.max_y, old.title, old.description,
        old.review_state, old.review_reason, old.reviewer_id, old.merged_into, old.hidden, old.created_at,
        old.updated_at, old.deleted_at, old.last_action, old.changed_by_participant_id, old.changed_by_user_id);
END;

CREATE TABLE annotations (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    feature_id     TEXT REFERENCES features (id) ON DELETE CASCADE,
    workshop_id    TEXT REFERENCES workshops (id) ON DELETE CASCADE,
    group_id       TEXT REFERENCES workshop_groups (id),
    participant_id TEXT REFERENCES participants (id),
    user_id        TEXT REFERENCES users (id),
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    CHECK ((feature_id IS NULL) <> (workshop_id IS NULL)),
    CHECK ((participant_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX annotations_feature ON annotations (feature_id, created_at);
CREATE INDEX annotations_workshop ON annotations (workshop_id, created_at);

-- A retried submission with the same Idempotency-Key replays the first answer.
CREATE TABLE idempotency_keys (
    principal    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (principal, key)
);

-- Failed join-code and password attempts, for rate limiting (seconds since the epoch).
CREATE TABLE auth_failures (
    scope  TEXT NOT NULL,
    client TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX auth_failures_client ON auth_failures (scope, client, at);
