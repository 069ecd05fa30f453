-- Priority areas: boundary layers analysts upload to score per unit, and the priority zones
-- they save from a computation, with every status change kept. Zones carry a PostGIS
-- geometry kept from the GeoJSON text, so QGIS shows them beside the features.

CREATE TABLE boundary_layers (
    id          uuid PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        text NOT NULL,
    -- GeoJSON FeatureCollection of the units, each with its `name` property.
    units       text NOT NULL,
    unit_count  bigint NOT NULL,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE priority_zones (
    id          uuid PRIMARY KEY,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        text NOT NULL,
    status      text NOT NULL
        CHECK (status IN ('proposed', 'confirmed', 'intervention_planned', 'closed')),
    notes       text NOT NULL DEFAULT '',
    geometry    text NOT NULL,
    geom        geometry(Geometry, 4326) NOT NULL,
    computed    text NOT NULL,
    revision    bigint NOT NULL,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX priority_zones_project ON priority_zones (project_id, created_at);
CREATE INDEX priority_zones_geom ON priority_zones USING gist (geom);

CREATE FUNCTION priority_zones_set_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.geom := ST_SetSRID(ST_GeomFromGeoJSON(NEW.geometry), 4326);
    RETURN NEW;
END;
$$;
CREATE TRIGGER priority_zones_geom BEFORE INSERT OR UPDATE OF geometry ON priority_zones
    FOR EACH ROW EXECUTE FUNCTION priority_zones_set_geom();

CREATE TABLE priority_zone_events (
    zone_id     uuid NOT NULL REFERENCES priority_zones (id) ON DELETE CASCADE,
    revision    bigint NOT NULL,
    at          timestamptz NOT NULL,
    user_id     uuid REFERENCES users (id),
    status      text NOT NULL,
    note        text,
    PRIMARY KEY (zone_id, revision)
);
