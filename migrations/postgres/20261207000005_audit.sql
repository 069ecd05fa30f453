-- The audit trail (domain::audit): append-only, each entry chained to the one before by
-- its hash over a salted commitment to its details. `actor`, `door` and `project_id` repeat
-- what the details say, for filtering; erased with them (a withdrawn participant's).
CREATE TABLE audit_log (
    seq        bigint PRIMARY KEY,
    at         timestamptz NOT NULL,
    kind       TEXT NOT NULL,
    -- Whether its details may be erased (a participant's), chained with it.
    erasable   boolean NOT NULL,
    actor      TEXT,
    door       TEXT,
    project_id uuid,
    details    TEXT,
    salt       TEXT,
    commitment TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_project ON audit_log (project_id, seq);

-- Signed checkpoints of the record's length and head (the key is outside the database).
CREATE TABLE audit_checkpoints (
    count      bigint NOT NULL,
    head       TEXT NOT NULL,
    at         timestamptz NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL
);
