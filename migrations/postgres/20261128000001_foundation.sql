-- Trama foundation schema (PostgreSQL + PostGIS), mirroring migrations/sqlite under the same
-- timestamp. Native uuid, timestamptz and jsonb; features carry a PostGIS geometry (SRID
-- 4326, GiST-indexed) beside the RFC 7946 GeoJSON text the API returns, so QGIS can open the
-- features table as a layer.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'analyst', 'facilitator', 'researcher')),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE projects (
    id             uuid PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    default_locale text NOT NULL,
    area           text,
    created_at     timestamptz NOT NULL
);

CREATE TABLE symbols (
    id             uuid PRIMARY KEY,
    project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key            text NOT NULL,
    labels         jsonb NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('risk', 'resource', 'actor', 'relation', 'other')),
    geometry_types jsonb NOT NULL,
    color          text NOT NULL,
    icon           text,
    weight         double precision NOT NULL,
    sensitive      boolean NOT NULL DEFAULT false,
    position       integer NOT NULL,
    UNIQUE (project_id, key)
);

CREATE TABLE workshops (
    id             uuid PRIMARY KEY,
    project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title          text NOT NULL,
    place          text,
    starts_at      timestamptz,
    ends_at        timestamptz,
    facilitator_id uuid REFERENCES users (id),
    status         text NOT NULL CHECK (status IN ('open', 'closed')),
    join_code      text NOT NULL,
    created_at     timestamptz NOT NULL,
    closed_at      timestamptz
);
CREATE INDEX workshops_project ON workshops (project_id);
CREATE UNIQUE INDEX workshops_open_join_code ON workshops (join_code) WHERE status = 'open';

CREATE TABLE workshop_groups (
    id          uuid PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    name        text NOT NULL,
    position    integer NOT NULL,
    UNIQUE (workshop_id, name)
);

CREATE TABLE participants (
    id           uuid PRIMARY KEY,
    workshop_id  uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    group_id     uuid NOT NULL REFERENCES workshop_groups (id),
    display_name text,
    created_at   timestamptz NOT NULL
);

CREATE TABLE api_tokens (
    token_hash     text PRIMARY KEY,
    user_id        uuid REFERENCES users (id) ON DELETE CASCADE,
    participant_id uuid REFERENCES participants (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz,
    CHECK ((user_id IS NULL) <> (participant_id IS NULL))
);

CREATE TABLE features (
    id             uuid PRIMARY KEY,
    project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    workshop_id    uuid REFERENCES workshops (id),
    group_id       uuid REFERENCES workshop_groups (id),
    participant_id uuid REFERENCES participants (id),
    user_id        uuid REFERENCES users (id),
    symbol_id      uuid NOT NULL REFERENCES symbols (id),
    geometry       text NOT NULL,
    geom           geometry(Geometry, 4326) NOT NULL,
    min_x double precision NOT NULL, min_y double precision NOT NULL,
    max_x double precision NOT NULL, max_y double precision NOT NULL,
    title          text,
    description    text,
    review_state   text NOT NULL CHECK (review_state IN ('submitted', 'accepted', 'rejected', 'merged')),
    review_reason  text,
    reviewer_id    uuid REFERENCES users (id),
    merged_into    uuid REFERENCES features (id),
    hidden         boolean NOT NULL DEFAULT false,
    revision       bigint NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz,
    last_action               text NOT NULL,
    changed_by_participant_id uuid REFERENCES participants (id),
    changed_by_user_id        uuid REFERENCES users (id),
    CHECK ((participant_id IS NULL) <> (user_id IS NULL)),
    CHECK ((changed_by_participant_id IS NULL) <> (changed_by_user_id IS NULL))
);
CREATE INDEX features_project ON features (project_id, workshop_id);
CREATE INDEX features_symbol ON features (symbol_id);
CREATE INDEX features_geom ON features USING gist (geom);

-- The PostGIS geometry follows the GeoJSON text by itself, so no writer can forget it.
CREATE FUNCTION features_set_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.geom := ST_SetSRID(ST_GeomFromGeoJSON(NEW.geometry), 4326);
    RETURN NEW;
END;
$$;
CREATE TRIGGER features_geom_insert BEFORE INSERT ON features
    FOR EACH ROW EXECUTE FUNCTION features_set_geom();
CREATE TRIGGER features_geom_update BEFORE UPDATE OF geometry ON features
    FOR EACH ROW EXECUTE FUNCTION features_set_geom();

-- Every previous version of every feature, whole, with what made it and who.
CREATE TABLE feature_revisions (
    id             uuid NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    revision       bigint NOT NULL,
    project_id     uuid NOT NULL,
    workshop_id    uuid,
    group_id       uuid,
    participant_id uuid,
    user_id        uuid,
    symbol_id      uuid NOT NULL,
    geometry       text NOT NULL,
    min_x double precision NOT NULL, min_y double precision NOT NULL,
    max_x double precision NOT NULL, max_y double precision NOT NULL,
    title          text,
    description    text,
    review_state   text NOT NULL,
    review_reason  text,
    reviewer_id    uuid,
    merged_into    uuid,
    hidden         boolean NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz,
    last_action               text NOT NULL,
    changed_by_participant_id uuid,
    changed_by_user_id        uuid,
    PRIMARY KEY (id, revision)
);

CREATE FUNCTION features_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feature_revisions (id, revision, project_id, workshop_id, group_id, participant_id, user_id,
        symbol_id, geometry, min_x, min_y, max_x, max_y, title, description, review_state, review_reason,
        reviewer_id, merged_into, hidden, created_at, updated_at, deleted_at, last_action,
        changed_by_participant_id, changed_by_user_id)
    VALUES (OLD.id, OLD.revision, OLD.project_id, OLD.workshop_id, OLD.group_id, OLD.participant_id, OLD.user_id,
        OLD.symbol_id, OLD.geometry, OLD.min_x, OLD.min_y, OLD.max_x, OLD.max_y, OLD.title, OLD.description,
        OLD.review_state, OLD.review_reason, OLD.reviewer_id, OLD.merged_into, OLD.hidden, OLD.created_at,
        OLD.updated_at, OLD.deleted_at, OLD.last_action, OLD.changed_by_participant_id, OLD.changed_by_user_id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER features_keep_revision AFTER UPDATE ON features
    FOR EACH ROW WHEN (OLD.revision <> NEW.revision) EXECUTE FUNCTION features_keep_revision();

CREATE TABLE annotations (
    id             uuid PRIMARY KEY,
    project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    feature_id     uuid REFERENCES features (id) ON DELETE CASCADE,
    workshop_id    uuid REFERENCES workshops (id) ON DELETE CASCADE,
    group_id       uuid REFERENCES workshop_groups (id),
    participant_id uuid REFERENCES participants (id),
    user_id        uuid REFERENCES users (id),
    body           text NOT NULL,
    created_at     timestamptz NOT NULL,
    CHECK ((feature_id IS NULL) <> (workshop_id IS NULL)),
    CHECK ((participant_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX annotations_feature ON annotations (feature_id, created_at);
CREATE INDEX annotations_workshop ON annotations (workshop_id, created_at);

CREATE TABLE idempotency_keys (
    principal    text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL,
    response     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);

CREATE TABLE auth_failures (
    scope  text NOT NULL,
    client text NOT NULL,
    at     bigint NOT NULL
);
CREATE INDEX auth_failures_client ON auth_failures (scope, client, at);
